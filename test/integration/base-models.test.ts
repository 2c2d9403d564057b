import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import type { MethodName } from '../../src/shared/api';
import type { GenerationInfo } from '../../src/shared/generation';
import type { PieceSummary } from '../../src/shared/library';
import type { ModelCard, ModelInfo, RunInfo } from '../../src/shared/training';
import { REPO_ROOT } from '../helpers/repo';

// One database for the file: a new one, as a first-time user gets it.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-base-'));
let engine: Engine;

async function call<T = unknown>(method: MethodName, input: unknown): Promise<T> {
  const reply = await engine.call(method, input);
  if (!reply.ok) throw new Error(`${reply.error.kind}: ${reply.error.message}`);
  return reply.value as T;
}
const bases = async () => (await call<ModelInfo[]>('models.list', {})).filter((m) => m.base);
const shippedCard = (name: string) => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'resources', 'base-models', `${name}.json`), 'utf8')) as { corpora: { title: string; licence: string }[]; heldOut: { natsPerNote: number; pieces: number } };
const notesOf = (g: GenerationInfo) => g.takes.map((t) => t.notes.filter((n) => n.startTick >= t.seamTick).map((n) => `${n.pitch}@${n.startTick}`).join(' '));

beforeAll(() => {
  engine = Engine.open({ dbPath: path.join(dir, 'studio.db') });
});
afterAll(async () => {
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('base models (shipped files, real engine and worker, real database)', () => {
  it('a new database holds every shipped base model, marked base, with its card: the music it learned, their licences, its held-out score', async () => {
    const installed = await bases();
    expect(installed.map((m) => m.baseName).sort()).toEqual(['chorales-keyboard', 'folk-melodies']);
    const folk = installed.find((m) => m.baseName === 'folk-melodies')!;
    const card = await call<ModelCard>('models.card', { id: folk.id });
    const file = shippedCard('folk-melodies');
    expect(card.about?.corpora).toEqual(file.corpora.map(({ title, licence }) => ({ title, licence })));
    expect(card.about?.corpora.every((c) => /public domain|CC BY|MIT|BSD/.test(c.licence))).toBe(true);
    expect(card.about?.heldOut?.natsPerNote).toBe(file.heldOut.natsPerNote);
    // A model the musician trains has no such card.
    expect(card.origin.kind).toBe('import');
  });

  it('a base model generates on a new database with no training at all', async () => {
    const folk = (await bases()).find((m) => m.baseName === 'folk-melodies')!;
    const g = await call<GenerationInfo>('generations.generate', { modelId: folk.id, primer: { kind: 'none' }, length: { unit: 'bars', value: 2 }, variations: 1, seed: 4 });
    expect(g.takes[0]!.notes.length).toBeGreaterThan(0);
  }, 60_000);

  it('deletes a base model only when the deletion is confirmed, and reinstalls what is missing (and only that)', async () => {
    const chorales = (await bases()).find((m) => m.baseName === 'chorales-keyboard')!;
    const refused = await engine.call('models.delete', { id: chorales.id, confirm: true });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'conflict', message: expect.stringMatching(/base model .* confirm/) } });
    expect((await bases()).map((m) => m.id)).toContain(chorales.id);
    await call('models.delete', { id: chorales.id, confirm: true, confirmBase: true });
    expect((await bases()).map((m) => m.baseName)).toEqual(['folk-melodies']);
    const { installed } = await call<{ installed: ModelInfo[] }>('models.reinstallBase', {});
    expect(installed.map((m) => [m.baseName, m.base])).toEqual([['chorales-keyboard', true]]);
    expect((await call<{ installed: ModelInfo[] }>('models.reinstallBase', {})).installed).toEqual([]);
    expect((await bases()).map((m) => m.baseName).sort()).toEqual(['chorales-keyboard', 'folk-melodies']);
  });

  it('personalises the base that fits a corpus, records it, and blends the two at generation: weight 0 is yours, 1 is the base, between is neither, each deterministic by seed', async () => {
    const [starter] = await call<{ id: number; name: string }[]>('corpora.list', {});
    const fit = await call<{ model: ModelInfo; reasons: string[] }>('models.baseFor', { corpusId: starter!.id });
    expect(fit.model.baseName).toBe('folk-melodies'); // folk tunes, mostly single notes: the melody base
    expect(fit.reasons.join(' ')).toMatch(/already knows [\d.]+% of the corpus's tokens/);
    const p = await call<{ model: ModelInfo; run: RunInfo; base: ModelInfo; newTokens: number }>('models.personalize', { corpusId: starter!.id, name: 'my tunes', base: 'auto', hyperparams: { epochs: 1, seed: 2 } });
    expect(p.base.id).toBe(fit.model.id);
    expect(p.model.basedOn).toBe(fit.model.id);
    expect(p.model.base).toBe(false);
    expect((await engine.training.waitFor(p.run.id)).status).toBe('completed');

    const { pieces } = await call<{ pieces: PieceSummary[] }>('pieces.list', { corpusId: starter!.id, limit: 1 });
    const ask = (modelId: number, baseWeight?: number) =>
      call<GenerationInfo>('generations.generate', { modelId, primer: { kind: 'piece', pieceId: pieces[0]!.id, bars: [1, 2] }, length: { unit: 'bars', value: 2 }, variations: 2, seed: 9, ...(baseWeight === undefined ? {} : { baseWeight }) });
    const yours = notesOf(await ask(p.model.id));
    const base = notesOf(await ask(fit.model.id));
    expect(yours).not.toEqual(base);
    expect(notesOf(await ask(p.model.id, 0))).toEqual(yours);
    // All base: the base's own next steps over the same tokens, so the base's takes.
    expect(notesOf(await ask(p.model.id, 1))).toEqual(base);
    const half = notesOf(await ask(p.model.id, 0.5));
    expect(half).not.toEqual(yours);
    expect(half).not.toEqual(base);
    expect(notesOf(await ask(p.model.id, 0.5))).toEqual(half);
    // The weight is stored with the generation's settings.
    expect((await ask(p.model.id, 0.25)).params.baseWeight).toBe(0.25);
  }, 240_000);
});
