import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import type { MethodInput, MethodName, MethodResult } from '../../src/shared/api';
import { JIGS, midiFiles } from '../helpers/corpora';

let engine: Engine;
let modelId: number;
let pieceId: number;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-guard-'));
const call = async <M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>> => {
  const reply = await engine.call(method, input);
  if (!reply.ok) throw new Error(`${reply.error.kind}: ${reply.error.message}`);
  return reply.value as MethodResult<M>;
};

beforeAll(async () => {
  // A model that has learned two jigs by heart: left alone, it plays them back.
  engine = Engine.open({ dbPath: path.join(dir, 'guard.db'), baseModels: false, starterCorpus: false });
  await call('corpora.import', { corpus: 'Two jigs', paths: midiFiles(JIGS).slice(0, 2) });
  const corpus = (await call('corpora.list', {}))[0]!;
  pieceId = (await call('pieces.list', { corpusId: corpus.id, sort: 'title', limit: 1 })).pieces[0]!.id;
  const vocab = await call('vocabularies.build', { corpusId: corpus.id, encoding: 'events' });
  const run = await call('training.start', {
    vocabularyId: vocab.id,
    model: 'parrot',
    spec: { arch: 'lstm', embedding: 32, units: 96, layers: 1, dropout: 0, dense: 0 },
    hyperparams: { epochs: 60, batchSize: 8, sequenceLength: 48, learningRate: 0.02, schedule: 'constant', seed: 5, validationFraction: 0, patience: 0 },
  });
  modelId = run.modelId;
  expect((await engine.training.waitFor(run.id)).status).toBe('completed');
}, 300_000);

afterAll(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('never copy more than k bars (enforced at sampling)', () => {
  it('a model that quotes its corpus is sampled again from where it began to, and says how often', async () => {
    const request = { modelId, primer: { kind: 'piece' as const, pieceId, bars: [1, 2] as [number, number] }, length: { unit: 'bars' as const, value: 8 }, variations: 4, seed: 2, temperature: 0.5 };
    const quoting = await call('generations.generate', { ...request, maxCopyBars: 0 });
    const before = await call('generations.check', { id: quoting.id, threshold: 8 });
    const longest = (g: typeof quoting) => g.takes.map((t) => t.notes.filter((n) => n.startTick >= t.seamTick));
    expect(longest(quoting).every((c) => c.length > 0)).toBe(true);
    // Exact quotations allowed: the parrot copies more than two bars (a jig's bar holds about six notes).
    expect(Math.max(...before.takes.map((t) => t.longestMatchNotes))).toBeGreaterThan(13);
    expect(quoting.notices.join(' ')).not.toMatch(/sampled again/);

    const guarded = await call('generations.generate', { ...request, maxCopyBars: 2 });
    expect(guarded.params.maxCopyBars).toBe(2);
    expect(guarded.notices.some((n) => /^\d+ takes? began to copy more than 2 bars of "Two jigs" and (was|were) sampled again from the bar where the copy began \(\d+ times?\)$/.test(n))).toBe(true);
    const after = await call('generations.check', { id: guarded.id, threshold: 8 });
    // Every take is shorter in its longest quotation than before, unless the notices name it as still copying.
    const stubborn = guarded.notices.find((n) => n.startsWith('still copying')) ?? '';
    const worst = Math.max(...before.takes.map((t) => t.longestMatchNotes));
    for (const t of after.takes) if (!stubborn.includes(`take ${t.take + 1} `)) expect(t.longestMatchNotes).toBeLessThan(worst);
    // Each take still reaches its 8 bars, after the passage's own notes.
    for (const t of guarded.takes) {
      expect(t.seamTick).toBe(quoting.takes[0]!.seamTick);
      expect(t.notes.filter((n) => n.startTick >= t.seamTick).length).toBeGreaterThan(10);
    }
  }, 120_000);
});
