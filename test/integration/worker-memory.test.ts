/**
 * Every job kind returns the worker's TF runtime to where it was: after a warm-up, running a job
 * again leaves no tensor, no byte and no backend buffer behind (the check magenta-js makes around
 * each model call with tf.memory()). One engine, one database, its real workers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import type { MethodName } from '../../src/shared/api';
import type { PieceSummary } from '../../src/shared/library';
import type { ModelSummary, RunInfo } from '../../src/shared/training';
import type { WorkerMemory } from '../../src/engine/workers/protocol';

let engine: Engine;
let corpusId: number;
let vocabularyId: number;
let tinyModel: number;
let folkBase: number;
let pieceId: number;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-worker-memory-'));

async function call<T = unknown>(method: MethodName, input: unknown): Promise<T> {
  const reply = await engine.call(method, input);
  if (!reply.ok) throw new Error(`${reply.error.kind}: ${reply.error.message}`);
  return reply.value as T;
}

/** What must come back to where it was (the heap may only have grown during the warm-up). */
const held = (m: WorkerMemory) => ({ numTensors: m.numTensors, numBytes: m.numBytes, dataIds: m.dataIds, wasmHeapBytes: m.wasmHeapBytes });

const spec = { arch: 'lstm', embedding: 16, units: 48, layers: 1, dropout: 0, dense: 0 };
const hyperparams = { epochs: 1, batchSize: 32, sequenceLength: 32, stride: 8, learningRate: 0.01, seed: 5 };

beforeAll(async () => {
  // No model cache: every job loads its model and must free it (the cache's own test is below).
  engine = Engine.open({ dbPath: path.join(dir, 'memory.db'), backend: 'wasm', generationWorker: { modelCacheMb: 0 } });
  const [corpus] = await call<{ id: number }[]>('corpora.list', {});
  corpusId = corpus!.id;
  vocabularyId = (await call<{ id: number }>('vocabularies.build', { corpusId, encoding: 'events' })).id;
  const run = await call<RunInfo>('training.start', { vocabularyId, model: 'tiny', spec, hyperparams });
  expect((await engine.training.waitFor(run.id)).status).toBe('completed');
  tinyModel = run.modelId;
  folkBase = (await call<ModelSummary[]>('models.list', {})).find((m) => m.baseName === 'folk-melodies')!.id;
  pieceId = (await call<{ pieces: PieceSummary[] }>('pieces.list', { corpusId, limit: 1 })).pieces[0]!.id;
}, 180_000);

afterAll(async () => {
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs `job` once to warm up, then `times` more, reading `which` worker's memory after each. */
async function afterEach(which: 'training' | 'generation', times: number, job: () => Promise<unknown>): Promise<WorkerMemory[]> {
  await job();
  const seen = [(await engine.workerMemory())[which]];
  for (let i = 0; i < times; i++) {
    await job();
    seen.push((await engine.workerMemory())[which]);
  }
  return seen;
}

describe('no tensor, byte or buffer left behind by a job', () => {
  it('generate: the folk base model, 4 takes of 8 bars from bars 1–4, again and again', async () => {
    const seen = await afterEach('generation', 3, () =>
      call('generations.generate', { modelId: folkBase, primer: { kind: 'piece', pieceId, bars: [1, 4] }, length: { unit: 'bars', value: 8 }, variations: 4, seed: 1 }),
    );
    for (const m of seen.slice(1)) expect(held(m)).toEqual(held(seen[0]!));
    expect(seen[0]!.cachedModels).toBe(0);
  }, 120_000);

  it('generate: a model trained here, from silence', async () => {
    const seen = await afterEach('generation', 2, () => call('generations.generate', { modelId: tinyModel, primer: { kind: 'none' }, length: { unit: 'bars', value: 4 }, variations: 2, seed: 2 }));
    for (const m of seen.slice(1)) expect(held(m)).toEqual(held(seen[0]!));
  }, 60_000);

  it('score, evaluate and calibrate in the training worker', async () => {
    const seen = await afterEach('training', 2, async () => {
      await call('models.score', { id: tinyModel, corpusId });
      await call('models.evaluate', { modelId: tinyModel });
      await call('training.estimate', { vocabularyId, spec, hyperparams });
    });
    for (const m of seen.slice(1)) expect(held(m)).toEqual(held(seen[0]!));
  }, 120_000);

  it('training runs (with their auditions) and continuing a run from its checkpoint and optimizer', async () => {
    const seen = await afterEach('training', 2, async () => {
      const run = await call<RunInfo>('models.continue', { modelId: tinyModel, hyperparams: { epochs: 1 } });
      expect((await engine.training.waitFor(run.id)).status).toBe('completed');
    });
    for (const m of seen.slice(1)) expect(held(m)).toEqual(held(seen[0]!));
  }, 120_000);
});
