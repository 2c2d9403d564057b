import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import type { MethodName } from '../../src/shared/api';
import type { CorpusSummary, ImportSummary } from '../../src/shared/library';
import type { PersonalGain } from '../../src/shared/personal-gain';
import type { ModelInfo, Recommendation, RunInfo } from '../../src/shared/training';
import { JIGS, PIANO, midiFiles } from '../helpers/corpora';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-round-two-'));
let engine: Engine;

async function call<T = unknown>(method: MethodName, input: unknown): Promise<T> {
  const reply = await engine.call(method, input);
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.value as T;
}
const corpus = async (name: string) => (await call<CorpusSummary[]>('corpora.list', {})).find((c) => c.name === name);

beforeAll(() => {
  engine = Engine.open({ dbPath: path.join(dir, 'studio.db') });
});
afterAll(async () => {
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('engine support for the musician’s second session (real engine, real files)', () => {
  it('an import names the pieces it added and whether it made the corpus, so it can be undone exactly', async () => {
    const first = await call<ImportSummary>('corpora.import', { corpus: 'Jigs', paths: midiFiles(JIGS).slice(0, 3) });
    expect(first.createdCorpus).toBe(true);
    expect(first.pieceIds).toHaveLength(3);
    const more = await call<ImportSummary>('corpora.import', { corpus: 'Jigs', paths: midiFiles(JIGS).slice(2, 5) });
    expect(more).toMatchObject({ createdCorpus: false, imported: 2, duplicates: 1 });
    expect(more.pieceIds).toHaveLength(2);
    expect(more.pieceIds!.some((id) => first.pieceIds!.includes(id))).toBe(false);
    await call('pieces.delete', { pieceIds: more.pieceIds, confirm: true });
    expect((await corpus('Jigs'))?.pieces).toBe(3);
  });

  it('the base suggested follows the texture: polyphonic piano gets the keyboard base, melodies the folk base', async () => {
    await call('corpora.import', { corpus: 'Piano', paths: ['TheEntertainer.mid', 'bach_846.mid', 'bach_847.mid', 'symphony_7_2.mid'].map((f) => path.join(PIANO, f)) });
    const piano = (await corpus('Piano'))!;
    const rec = await call<Recommendation>('training.recommend', { corpusId: piano.id });
    expect(rec.chordSize!).toBeGreaterThan(1.5);
    expect(rec.baseEncoding).toBe('frame-pitches');
    expect((await call<{ model: ModelInfo }>('models.baseFor', { corpusId: piano.id })).model.baseName).toBe('chorales-keyboard');
    const jigs = (await corpus('Jigs'))!;
    expect((await call<Recommendation>('training.recommend', { corpusId: jigs.id })).baseEncoding).toBe('events');
    expect((await call<{ model: ModelInfo }>('models.baseFor', { corpusId: jigs.id })).model.baseName).toBe('folk-melodies');
  });

  it('the personalising estimate says how the base reads the corpus (its round trip)', async () => {
    const piano = (await corpus('Piano'))!;
    const e = await call<{ reading?: { encoding: string; roundTrip: { notes: number; exact: number } } }>('models.personalizeEstimate', { corpusId: piano.id, base: 'auto' });
    expect(e.reading?.encoding).toBe('frame-pitches');
    expect(e.reading!.roundTrip.notes).toBeGreaterThan(1000);
    expect(e.reading!.roundTrip.exact).toBeLessThan(e.reading!.roundTrip.notes);
  }, 120_000);

  it('a personalised model says how much better than its base it predicts the pieces it never trained on; a model with no base is refused in words', async () => {
    await call('corpora.import', { corpus: 'More jigs', paths: midiFiles(JIGS).slice(10, 40) });
    const mine = (await corpus('More jigs'))!;
    const p = await call<{ model: ModelInfo; run: RunInfo; base: ModelInfo }>('models.personalize', { corpusId: mine.id, name: 'my jigs', base: 'auto', hyperparams: { epochs: 2, seed: 3 } });
    expect((await engine.training.waitFor(p.run.id)).status).toBe('completed');
    const gain = await call<PersonalGain>('models.personalGain', { id: p.model.id });
    expect(gain.base).toBe(p.base.name);
    expect(gain.pieces).toBeGreaterThan(0);
    expect(gain.pieces).toBeLessThan(30);
    expect(gain.better).toBeCloseTo(1 - gain.natsPerStep / gain.baseNatsPerStep, 9);
    expect(Number.isFinite(gain.better)).toBe(true);
    const refused = await engine.call('models.personalGain', { id: p.base.id });
    expect(refused).toMatchObject({ ok: false, error: { message: expect.stringMatching(/was not personalised from a base model/) } });
  }, 600_000);
});
