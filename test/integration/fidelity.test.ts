import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import type { EventMessage, MethodInput, MethodName, MethodResult } from '../../src/shared/api';
import type { FidelityProgress } from '../../src/shared/fidelity';
import { unwrapReply } from '../../src/shared/reply';
import type { Provenance } from '../../src/shared/provenance';
import { JIGS, midiFiles } from '../helpers/corpora';

let engine: Engine;
let modelId: number;
let starterId: number;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-fidelity-'));

const corpusId = async (name: string) => (await call('corpora.list', {})).find((c) => c.name === name)!.id;

const call = async <M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>> => unwrapReply(await engine.call(method, input)) as MethodResult<M>;

beforeAll(async () => {
  engine = Engine.open({ dbPath: path.join(dir, 'fidelity.db'), baseModels: false });
  const [starter] = await call('corpora.list', {});
  starterId = starter!.id;
  const vocab = await call('vocabularies.build', { corpusId: starterId, encoding: 'events' });
  const run = await call('training.start', {
    vocabularyId: vocab.id,
    model: 'tiny folk ♯',
    spec: { arch: 'lstm', embedding: 16, units: 48, layers: 1, dropout: 0, dense: 0 },
    hyperparams: { epochs: 1, batchSize: 32, sequenceLength: 32, stride: 8, learningRate: 0.01, seed: 3 },
  });
  modelId = run.modelId;
  expect((await engine.training.waitFor(run.id)).status).toBe('completed');
}, 120_000);

afterAll(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('models.fidelity (the style scorecard, real engine and worker)', () => {
  it('continues held-out passages of the corpus and measures the takes against it, with progress', async () => {
    const progress: FidelityProgress[] = [];
    const off = engine.on((m: EventMessage) => {
      if (m.event === 'models.fidelityProgress') progress.push(m.payload);
    });
    const card = await call('models.fidelity', { id: modelId, corpusId: starterId, takes: 9, jobId: 'card-1' });
    off();
    expect(card.passages).toBe('held-out');
    expect(card.note).toBeNull();
    expect(card.takes).toBe(9);
    expect(card.bars).toBe(8);
    expect(card.excerpts).toBeGreaterThanOrEqual(10);
    expect(card.features.map((f) => f.feature)).toEqual(expect.arrayContaining(['pitchClassHistogram', 'noteLengthHistogram', 'pitchRange', 'grooveConsistency', 'scaleConsistency', 'pitchClassEntropy']));
    expect(card.features).toHaveLength(12);
    for (const f of card.features) {
      expect(f.overlap).toBeGreaterThanOrEqual(0);
      expect(f.overlap).toBeLessThanOrEqual(1);
    }
    expect(card.auc).toBeGreaterThanOrEqual(0);
    expect(card.auc).toBeLessThanOrEqual(1);
    expect(card.telltales).toHaveLength(3);
    expect(card.telltales[0]!.words).toMatch(/^the takes .* than your pieces$/);
    expect(card.copyCorpus).toBe('Starter tunes');
    expect(card.copyRate).toBeGreaterThanOrEqual(0);
    expect(card.verdict.length).toBeGreaterThan(20);
    expect(progress.every((p) => p.jobId === 'card-1')).toBe(true);
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['generating', 'measuring']));
    // The same seed, the same scorecard.
    const again = await call('models.fidelity', { id: modelId, corpusId: starterId, takes: 9 });
    expect(again.auc).toBe(card.auc);
    expect(again.meanOverlap).toBe(card.meanOverlap);
  }, 120_000);

  it('takes every piece of a corpus the model never learned from as a passage', async () => {
    await call('corpora.import', { corpus: 'Jigs', paths: midiFiles(JIGS).slice(0, 12) });
    const card = await call('models.fidelity', { id: modelId, corpusId: await corpusId('Jigs'), takes: 6 });
    expect(card.passages).toBe('other-corpus');
    expect(card.copyCorpus).toBe('Starter tunes');
  }, 120_000);

  it('refuses a corpus too small, a checkpoint that is gone and a model with no checkpoint, in sentences', async () => {
    await call('corpora.import', { corpus: 'One jig', paths: midiFiles(JIGS).slice(0, 1) });
    const small = await engine.call('models.fidelity', { id: modelId, corpusId: await corpusId('One jig') });
    expect(small).toMatchObject({ ok: false, error: { kind: 'invalid_input', message: expect.stringMatching(/^"One jig" is too small for a scorecard: it holds \d+ stretch(es)? of 8 bars/) } });
    const gone = await engine.call('models.fidelity', { id: modelId, corpusId: starterId, checkpointId: 99_999 });
    expect(gone).toMatchObject({ ok: false, error: { kind: 'not_found', message: expect.stringMatching(/^checkpoint 99999 of "tiny folk ♯" is gone/) } });
    const bad = await engine.call('models.fidelity', { id: modelId, corpusId: starterId, takes: 2 });
    expect(bad).toMatchObject({ ok: false, error: { kind: 'invalid_input' } });
  });

  it('scores every checkpoint of the latest run and suggests where to stop', async () => {
    const curve = await call('models.fidelityByCheckpoint', { id: modelId, corpusId: starterId, takes: 6 });
    const all = await call('models.checkpoints', { modelId });
    const checkpoints = all.filter((c) => c.runId === Math.max(...all.map((x) => x.runId)));
    expect(curve.points.length).toBeGreaterThanOrEqual(1);
    expect(curve.points.map((p) => p.checkpointId).every((id) => checkpoints.some((c) => c.id === id))).toBe(true);
    for (const p of curve.points) expect(p.auc).toBeGreaterThanOrEqual(0);
    if (curve.suggested !== null) {
      expect(curve.points.find((p) => p.checkpointId === curve.suggested)!.copyRate).toBeLessThanOrEqual(0.05);
      expect(curve.reason).toMatch(/^epoch \d+ sounds most like Starter tunes \(AUC [\d.]+\)/);
    } else expect(curve.reason).toMatch(/^every checkpoint copies/);
  }, 120_000);

  it('cancels between takes, and the worker goes on serving', async () => {
    const started = new Promise<void>((resolve) => {
      const off = engine.on((m: EventMessage) => {
        if (m.event === 'models.fidelityProgress' && m.payload.jobId === 'card-cancel') {
          off();
          resolve();
        }
      });
    });
    const pending = engine.call('models.fidelity', { id: modelId, corpusId: starterId, takes: 120, jobId: 'card-cancel' });
    await started;
    expect(await call('models.cancelFidelity', { jobId: 'card-cancel' })).toEqual({ cancelled: true });
    expect(await pending).toMatchObject({ ok: false, error: { kind: 'cancelled' } });
    const card = await call('models.fidelity', { id: modelId, corpusId: starterId, takes: 6 });
    expect(card.takes).toBe(6);
  }, 120_000);
});

describe('provenance in every export', () => {
  it('writes the model, checkpoint, seed, settings, corpus hash and originality into the MIDI file and a sidecar, and a re-import shows them', async () => {
    const { pieces } = await call('pieces.list', { corpusId: starterId, sort: 'title', limit: 1 });
    const g = await call('generations.generate', { modelId, primer: { kind: 'piece', pieceId: pieces[0]!.id, bars: [1, 2] }, length: { unit: 'bars', value: 4 }, variations: 2, seed: 42, temperature: 0.9 });
    const folder = path.join(dir, 'export');
    const { files } = await call('generations.exportToFolder', { ids: [g.id], folder });
    expect(files).toHaveLength(2);
    const card = await call('models.card', { id: modelId });
    for (const [i, file] of files.entries()) {
      const sidecar = JSON.parse(fs.readFileSync(file.replace(/\.mid$/, '.json'), 'utf8')) as Provenance;
      expect(sidecar).toMatchObject({ model: 'tiny folk ♯', checkpointId: g.checkpointId, seed: 42, corpus: 'Starter tunes', corpusSha256: card.corpus.hash, passage: g.primerLabel, generationId: g.id });
      expect(sidecar.settings).toMatchObject({ temperature: 0.9, maxCopyBars: 4, length: { unit: 'bars', value: 4 } });
      expect(sidecar.takes).toEqual([{ take: i + 1, longestMatchBars: expect.any(Number), longestMatchNotes: expect.any(Number) }]);
    }
    // Imported again, the file says where it came from.
    await call('corpora.import', { corpus: 'Takes', paths: [files[0]!] });
    const takes = await corpusId('Takes');
    const [piece] = (await call('pieces.list', { corpusId: takes })).pieces;
    const detail = await call('pieces.get', { id: piece!.id });
    expect(detail.provenance).toMatchObject({ model: 'tiny folk ♯', seed: '42', corpus: 'Starter tunes', 'corpus-sha256': card.corpus.hash, checkpoint: `${g.checkpointId} (epoch ${g.checkpointEpoch})` });
    expect(detail.provenance!.originality).toMatch(/^take 1: longest match [\d.]+ bars \(\d+ notes\)$/);
    expect(JSON.parse(detail.provenance!.settings!)).toMatchObject({ temperature: 0.9 });
    // A file that is not an export has none.
    expect((await call('pieces.get', { id: pieces[0]!.id })).provenance ?? null).toBeNull();
    // The single-file export (the browser's Save MIDI) carries the same sidecar.
    const single = await call('generations.export', { ids: [g.id], takes: [1] });
    expect(single.files[0]!.sidecar.name).toBe(single.files[0]!.name.replace(/\.mid$/, '.json'));
    expect(JSON.parse(single.files[0]!.sidecar.text)).toMatchObject({ model: 'tiny folk ♯', takes: [{ take: 2 }] });
  }, 120_000);
});
