import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import type { MethodName } from '../../src/shared/api';
import type { GenerationInfo } from '../../src/shared/generation';
import type { CheckpointInfo, MetricPoint, ModelCard, ModelInfo, ModelSummary, RunInfo } from '../../src/shared/training';
import { CORPORA } from '../helpers/corpora';
import { rawDb } from '../helpers/sqlite';

let engine: Engine;
let folk: ModelInfo;
let jigsCorpus: number;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-models-'));

async function call<T = unknown>(method: MethodName, input: unknown): Promise<T> {
  const reply = await engine.call(method, input);
  if (!reply.ok) throw new Error(`${reply.error.kind}: ${reply.error.message}`);
  return reply.value as T;
}

async function refusal(method: MethodName, input: unknown): Promise<{ kind: string; message: string }> {
  const reply = await engine.call(method, input);
  if (reply.ok) throw new Error(`${method} was expected to fail`);
  return reply.error;
}

const GENERATE = { primer: { kind: 'note', pitch: 67 }, length: { unit: 'tokens', value: 40 }, variations: 2, seed: 21, temperature: 1 };
const notesOf = (g: GenerationInfo) => g.takes.map((t) => t.notes.map((n) => [n.pitch, n.startTick, n.endTick, n.velocity]));
const writeTemp = (name: string, bytes: Uint8Array) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
};
const summary = async (name: string) => (await call<ModelSummary[]>('models.list', {})).find((m) => m.name === name)!;

beforeAll(async () => {
  engine = Engine.open({ dbPath: path.join(dir, 'models.db') });
  const [starter] = await call<{ id: number }[]>('corpora.list', {});
  const vocab = await call<{ id: number }>('vocabularies.build', { corpusId: starter!.id, encoding: 'events' });
  const run = await call<RunInfo>('training.start', {
    vocabularyId: vocab.id,
    model: 'folk',
    spec: { arch: 'lstm', embedding: 16, units: 48, layers: 1, dropout: 0, dense: 0 },
    hyperparams: { epochs: 2, batchSize: 32, sequenceLength: 32, stride: 4, learningRate: 0.01, seed: 3 },
  });
  expect((await engine.training.waitFor(run.id)).status).toBe('completed');
  folk = engine.store.models.get(run.modelId);
  const jigs = fs.readdirSync(path.join(CORPORA, 'nottingham-jigs')).filter((f) => f.endsWith('.mid')).sort().slice(0, 20);
  const imported = await call<{ imported: number }>('corpora.import', { corpus: 'Jigs', paths: jigs.map((f) => path.join(CORPORA, 'nottingham-jigs', f)) });
  expect(imported.imported).toBe(20);
  jigsCorpus = (await call<{ id: number; name: string }[]>('corpora.list', {})).find((c) => c.name === 'Jigs')!.id;
}, 180_000);

afterAll(async () => {
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('style models: list, duplicate, choose, continue, fine-tune, share (real worker and database)', () => {
  it('lists each model with its corpus, encoding, epochs, best validation loss, size on disk and backend', async () => {
    const m = await summary('folk');
    const runs = await call<RunInfo[]>('runs.list', { modelId: folk.id });
    const checkpoints = await call<CheckpointInfo[]>('models.checkpoints', { modelId: folk.id });
    expect(m).toMatchObject({ corpus: 'Starter tunes', encoding: 'events', epochs: 2, backend: 'wasm', status: 'completed', checkpoints: checkpoints.length });
    expect(m.bestValLoss).toBeCloseTo(runs[0]!.bestValLoss!, 6);
    // Each checkpoint holds the weights and Adam's two moments: at least 3 × 4 bytes a parameter.
    expect(m.sizeBytes).toBeGreaterThan(checkpoints.length * m.parameters * 12);
    expect(m.origin).toEqual({ kind: 'trained' });
  });

  it('duplicates a model: the copy generates exactly what the original does and survives its deletion', async () => {
    const copy = await call<ModelInfo>('models.duplicate', { id: folk.id });
    expect(copy.name).toBe('folk copy');
    expect(copy.origin).toEqual({ kind: 'duplicate', from: 'folk' });
    const a = await call<GenerationInfo>('generations.generate', { ...GENERATE, modelId: folk.id });
    const b = await call<GenerationInfo>('generations.generate', { ...GENERATE, modelId: copy.id });
    expect(notesOf(b)).toEqual(notesOf(a));
    expect((await call<CheckpointInfo[]>('models.checkpoints', { modelId: copy.id })).length).toBe((await summary('folk')).checkpoints);
    const second = await call<ModelInfo>('models.duplicate', { id: folk.id, name: 'folk experiment' });
    await call('models.delete', { id: second.id, confirm: true });
    expect((await summary('folk')).checkpoints).toBeGreaterThan(0); // the original keeps its checkpoints
    const pages = rawDb(engine.store.path).pragma('page_count', { simple: true }) as number;
    await call('models.delete', { id: copy.id, confirm: true });
    // Its checkpoints' pages go back to the disk, not onto a free list.
    expect(rawDb(engine.store.path).pragma('freelist_count', { simple: true })).toBe(0);
    expect(rawDb(engine.store.path).pragma('page_count', { simple: true }) as number).toBeLessThan(pages);
  });

  it('generates from the checkpoint chosen for the model, and refuses one of another model', async () => {
    const checkpoints = await call<CheckpointInfo[]>('models.checkpoints', { modelId: folk.id });
    const first = checkpoints.find((c) => c.epoch === 1)!;
    await call('models.setGenerationCheckpoint', { id: folk.id, checkpointId: first.id });
    const g = await call<GenerationInfo>('generations.generate', { ...GENERATE, modelId: folk.id });
    expect(g.checkpointId).toBe(first.id);
    expect(g.checkpointEpoch).toBe(1);
    await call('models.setGenerationCheckpoint', { id: folk.id, checkpointId: null });
    expect((await call<GenerationInfo>('generations.generate', { ...GENERATE, modelId: folk.id })).checkpointEpoch).toBe(2);
    const copy = await call<ModelInfo>('models.duplicate', { id: folk.id, name: 'other' });
    const theirs = (await call<CheckpointInfo[]>('models.checkpoints', { modelId: copy.id }))[0]!;
    expect(await refusal('models.setGenerationCheckpoint', { id: folk.id, checkpointId: theirs.id })).toMatchObject({ kind: 'invalid_input' });
    await call('models.delete', { id: copy.id, confirm: true });
  });

  it('exports a model as one file and imports it: identical generations for the same seed, its card and curves carried', async () => {
    const file = path.join(dir, 'folk');
    const written = await call<{ path: string; bytes: number }>('models.exportToFile', { id: folk.id, path: file, optimizer: true });
    expect(written.path).toBe(`${file}.etude-model`);
    expect(fs.statSync(written.path).size).toBe(written.bytes);
    // Never overwritten silently.
    expect(await refusal('models.exportToFile', { id: folk.id, path: written.path })).toMatchObject({ kind: 'conflict' });

    const imported = await call<ModelInfo>('models.importFile', { path: written.path, name: 'folk from a friend' });
    expect(imported.origin).toMatchObject({ kind: 'import', originalName: 'folk', file: 'folk.etude-model' });
    const a = await call<GenerationInfo>('generations.generate', { ...GENERATE, modelId: folk.id });
    const b = await call<GenerationInfo>('generations.generate', { ...GENERATE, modelId: imported.id });
    expect(notesOf(b)).toEqual(notesOf(a));

    const card = await call<ModelCard>('models.card', { id: imported.id });
    const original = await call<ModelCard>('models.card', { id: folk.id });
    expect(card.corpus).toEqual(original.corpus);
    expect(card.corpus.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(card.runs).toHaveLength(1);
    expect(card.runs[0]!.imported).toBe(true);
    expect(card.runs[0]!.curve).toEqual(original.runs[0]!.curve);
    expect(card.runs[0]!.machine).toMatchObject({ backend: 'wasm', cores: os.availableParallelism() });
    expect(card.auditions.length).toBe(original.auditions.length);
    // One audition a saved epoch (the best and periodic checkpoints of an epoch share theirs).
    expect(original.auditions.map((a) => a.epoch)).toEqual([1, 2]);
    expect(card.vocabulary).toEqual(original.vocabulary);
    // The curve is there to draw.
    const runs = await call<RunInfo[]>('runs.list', { modelId: imported.id });
    const curve = await call<MetricPoint[]>('runs.metrics', { runId: runs[0]!.id });
    expect(curve.filter((p) => p.kind === 'epoch').map((p) => p.valLoss)).toEqual(original.runs[0]!.curve.map((p) => p.valLoss));

    // The same file again, without a name: it does not replace the first import.
    const again = await call<ModelInfo>('models.importFile', { path: written.path });
    expect(again.name).toBe('folk (imported)');
    await call('models.delete', { id: again.id, confirm: true });

    // An imported model has no corpus here: continuing is refused with the reason; fine-tuning is the way.
    expect((await refusal('models.continue', { modelId: imported.id })).message).toMatch(/imported without its corpus.*fine-tune/);
  });

  it('refuses a damaged file, a file of a newer format and a file that is not a model, changing nothing', async () => {
    const good = Buffer.from((await call<{ data: string }>('models.export', { id: folk.id })).data, 'base64');
    const before = (await call<ModelSummary[]>('models.list', {})).length;
    const vocabularies = engine.store.vocabularies.list().length;

    const truncated = good.subarray(0, Math.floor(good.length / 2));
    const t = await refusal('models.import', { fileName: 'half.etude-model', data: truncated.toString('base64') });
    expect(t.kind).toBe('invalid_input');
    expect(t.message).toMatch(/^half\.etude-model cannot be imported: /);

    const entries = unzipSync(new Uint8Array(good));
    const weights = entries['weights.bin']!.slice();
    weights[100] = weights[100]! ^ 0xff;
    const tampered = zipSync({ ...entries, 'weights.bin': weights });
    expect((await refusal('models.import', { fileName: 'bad.etude-model', data: Buffer.from(tampered).toString('base64') })).message).toMatch(/weights are damaged/);

    const doc = JSON.parse(new TextDecoder().decode(entries['etude-model.json']));
    const newer = zipSync({ ...entries, 'etude-model.json': new TextEncoder().encode(JSON.stringify({ ...doc, formatVersion: 2, somethingNew: true })) });
    expect((await refusal('models.import', { fileName: 'new.etude-model', data: Buffer.from(newer).toString('base64') })).message).toMatch(
      /newer Etude \(model file format 2; this studio reads up to 1\)/,
    );

    const broken = zipSync({ ...entries, 'etude-model.json': new TextEncoder().encode(JSON.stringify({ ...doc, checkpoint: { ...doc.checkpoint, weights: 'none' } })) });
    expect((await refusal('models.import', { fileName: 'broken.etude-model', data: Buffer.from(broken).toString('base64') })).message).toMatch(/damaged \(checkpoint\.weights/);

    const midi = fs.readFileSync(path.join(CORPORA, 'nottingham-jigs', 'jigs1.mid'));
    expect((await refusal('models.import', { fileName: 'jigs1.mid', data: midi.toString('base64') })).message).toMatch(/not an Etude model file/);

    expect((await call<ModelSummary[]>('models.list', {})).length).toBe(before);
    expect(engine.store.vocabularies.list().length).toBe(vocabularies);
  });

  it('continues training from where the model stood: a second run that starts at the trained loss', async () => {
    const run = await call<RunInfo>('models.continue', { modelId: folk.id, hyperparams: { epochs: 1 } });
    expect(run.hyperparams).toMatchObject({ epochs: 1, batchSize: 32, sequenceLength: 32, learningRate: 0.01 });
    expect((await engine.training.waitFor(run.id)).status).toBe('completed');
    const runs = await call<RunInfo[]>('runs.list', { modelId: folk.id });
    const firstBatch = async (r: RunInfo) => (await call<MetricPoint[]>('runs.metrics', { runId: r.id })).find((p) => p.kind === 'batch')!.loss!;
    // From scratch the first batch costs about ln(V); resumed, it costs what the second epoch ended at.
    expect(await firstBatch(runs[1]!)).toBeLessThan((await firstBatch(runs[0]!)) - 0.5);
    const card = await call<ModelCard>('models.card', { id: folk.id });
    expect(card.runs.map((r) => r.startedFrom)).toEqual([null, 'folk, epoch 2']);
    expect(card.epochs).toBe(3);
    expect((await summary('folk')).epochs).toBe(3);
  }, 120_000);

  it('fine-tunes a copy on another corpus: the vocabulary extended, the weights carried, the original untouched', async () => {
    const originalTokens = engine.store.vocabularies.tokens(folk.vocabularyId);
    const before = await call<CheckpointInfo[]>('models.checkpoints', { modelId: folk.id });
    const { model, run, newTokens } = await call<{ model: ModelInfo; run: RunInfo; newTokens: number }>('models.fineTune', {
      modelId: folk.id,
      corpusId: jigsCorpus,
      name: 'folk → jigs',
      hyperparams: { epochs: 1 },
    });
    expect(model.origin).toMatchObject({ kind: 'fine-tune', from: 'folk', corpus: 'Jigs', newTokens });
    const tokens = engine.store.vocabularies.tokens(model.vocabularyId);
    expect(tokens.slice(0, originalTokens.length)).toEqual(originalTokens);
    expect(tokens.length).toBe(originalTokens.length + newTokens);
    expect((await engine.training.waitFor(run.id)).status).toBe('completed');
    const first = (await call<MetricPoint[]>('runs.metrics', { runId: run.id })).find((p) => p.kind === 'batch')!.loss!;
    // Random weights over this vocabulary would start near ln(V).
    expect(first).toBeLessThan(Math.log(tokens.length) - 0.5);
    expect(await call<CheckpointInfo[]>('models.checkpoints', { modelId: folk.id })).toEqual(before);
    const g = await call<GenerationInfo>('generations.generate', { ...GENERATE, modelId: model.id });
    expect(g.takes[0]!.notes.length).toBeGreaterThan(0);

    expect(await refusal('models.fineTune', { modelId: folk.id, corpusId: jigsCorpus, name: 'folk' })).toMatchObject({ kind: 'conflict' });
  }, 180_000);
  it('a model file of seed 000 made before music21 reading (notes-chords version 1) imports, generates and fine-tunes in its own reading', async () => {
    const [starter] = await call<{ id: number }[]>('corpora.list', {});
    const vocab = await call<{ id: number }>('vocabularies.build', { corpusId: starter!.id, encoding: 'notes-chords' });
    const run = await call<RunInfo>('training.start', {
      vocabularyId: vocab.id,
      model: 'seed old',
      spec: { arch: 'lstm', embedding: 8, units: 16, layers: 1, dropout: 0, dense: 0 },
      hyperparams: { epochs: 1, batchSize: 32, sequenceLength: 16, stride: 8, learningRate: 0.01, seed: 5 },
    });
    expect((await engine.training.waitFor(run.id)).status).toBe('completed');
    const entries = unzipSync(new Uint8Array(Buffer.from((await call<{ data: string }>('models.export', { id: run.modelId })).data, 'base64')));
    const doc = JSON.parse(new TextDecoder().decode(entries['etude-model.json']));
    // As version 1 wrote it: no reading parameter.
    const { reading, ...version1 } = doc.vocabulary.params;
    expect(reading).toBe('music21');
    const old = {
      ...doc,
      vocabulary: { ...doc.vocabulary, encodingVersion: 1, params: version1 },
      card: { ...doc.card, vocabulary: { ...doc.card.vocabulary, encodingVersion: 1, params: version1 } },
    };
    const file = zipSync({ ...entries, 'etude-model.json': new TextEncoder().encode(JSON.stringify(old)) });
    const imported = await call<ModelInfo>('models.importFile', { path: writeTemp('old-seed.etude-model', file), name: 'seed from 2025' });
    const stored = engine.store.vocabularies.get(imported.vocabularyId);
    expect(stored).toMatchObject({ encodingVersion: 1, params: version1 });
    const g = await call<GenerationInfo>('generations.generate', { ...GENERATE, modelId: imported.id });
    expect(g.takes[0]!.notes.length).toBeGreaterThan(0);
    // Fine-tuning writes the new corpus in version 1's reading, the one the model learned.
    const tuned = await call<{ model: ModelInfo; run: RunInfo }>('models.fineTune', { modelId: imported.id, corpusId: jigsCorpus, name: 'seed 2025 → jigs', hyperparams: { epochs: 1 } });
    expect(engine.store.vocabularies.get(tuned.model.vocabularyId).params).toMatchObject({ reading: 'onsets' });
    expect((await engine.training.waitFor(tuned.run.id)).status).toBe('completed');
  }, 180_000);

  it('a model file of notes-chords version 2 imports and fine-tunes in its own reading (a track name always an instrument of its own)', async () => {
    const [starter] = await call<{ id: number }[]>('corpora.list', {});
    const vocab = await call<{ id: number }>('vocabularies.build', { corpusId: starter!.id, encoding: 'notes-chords' });
    const run = await call<RunInfo>('training.start', {
      vocabularyId: vocab.id,
      model: 'seed v2',
      spec: { arch: 'lstm', embedding: 8, units: 16, layers: 1, dropout: 0, dense: 0 },
      hyperparams: { epochs: 1, batchSize: 32, sequenceLength: 16, stride: 8, learningRate: 0.01, seed: 5 },
    });
    expect((await engine.training.waitFor(run.id)).status).toBe('completed');
    const entries = unzipSync(new Uint8Array(Buffer.from((await call<{ data: string }>('models.export', { id: run.modelId })).data, 'base64')));
    const doc = JSON.parse(new TextDecoder().decode(entries['etude-model.json']));
    expect(doc.vocabulary.encodingVersion).toBe(3);
    const old = { ...doc, vocabulary: { ...doc.vocabulary, encodingVersion: 2 }, card: { ...doc.card, vocabulary: { ...doc.card.vocabulary, encodingVersion: 2 } } };
    const file = zipSync({ ...entries, 'etude-model.json': new TextEncoder().encode(JSON.stringify(old)) });
    const imported = await call<ModelInfo>('models.importFile', { path: writeTemp('v2-seed.etude-model', file), name: 'seed of version 2' });
    expect(engine.store.vocabularies.get(imported.vocabularyId)).toMatchObject({ encodingVersion: 2, params: { reading: 'music21' } });
    const tuned = await call<{ model: ModelInfo; run: RunInfo }>('models.fineTune', { modelId: imported.id, corpusId: jigsCorpus, name: 'seed v2 → jigs', hyperparams: { epochs: 1 } });
    expect(engine.store.vocabularies.get(tuned.model.vocabularyId).params).toMatchObject({ reading: 'music21-v2' });
    expect((await engine.training.waitFor(tuned.run.id)).status).toBe('completed');
  }, 180_000);
});
