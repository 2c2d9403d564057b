/**
 * A generation worker that aborts (as WebAssembly does when its heap is exhausted), dies, or will
 * not answer a cancel is replaced: the job in flight fails with a sentence a musician can act on,
 * the next generation works, nothing stored is lost. The faults are injected by ETUDE_TEST_FAULT,
 * which only tests set (see jobs/worker.ts). A loaded model is kept for the next take.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, type EngineOptions } from '../../src/engine/engine';
import type { MethodName } from '../../src/shared/api';
import type { GenerationInfo } from '../../src/shared/generation';
import type { ModelSummary, RunInfo } from '../../src/shared/training';
import type { Reply } from '../../src/shared/reply';

const dirs: string[] = [];
const engines: Engine[] = [];
afterEach(async () => {
  delete process.env.ETUDE_TEST_FAULT;
  for (const e of engines.splice(0)) await e.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A new database with the shipped base models and no starter tunes (a take from silence needs none). */
async function studio(fault?: string, generationWorker: EngineOptions['generationWorker'] = {}): Promise<{ engine: Engine; folk: number; fired: string; generate(): Promise<Reply<unknown>> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-recovery-'));
  dirs.push(dir);
  if (fault) process.env.ETUDE_TEST_FAULT = `${fault}:${path.join(dir, 'fault-fired')}`;
  const engine = Engine.open({ dbPath: path.join(dir, 'etude.db'), starterCorpus: false, backend: 'wasm', generationWorker });
  engines.push(engine);
  const list = await engine.call('models.list' satisfies MethodName, {});
  if (!list.ok) throw new Error(list.error.message);
  const folk = (list.value as ModelSummary[]).find((m) => m.baseName === 'folk-melodies')!.id;
  const generate = () => engine.call('generations.generate', { modelId: folk, primer: { kind: 'note', pitch: 67 }, length: { unit: 'bars', value: 2 }, variations: 2, seed: 4 });
  return { engine, folk, fired: path.join(dir, 'fault-fired'), generate };
}

describe('a generation worker that fails comes back', () => {
  it('aborts (its WebAssembly heap exhausted): that generation fails with a sentence, the next works in a fresh worker', async () => {
    const { engine, generate } = await studio('abort:generate:2');
    expect((await generate()).ok).toBe(true);
    const failed = await generate();
    expect(failed).toMatchObject({ ok: false, error: { kind: 'unavailable', message: expect.stringMatching(/^the generator ran out of memory and was restarted; try again/) } });
    const again = await generate();
    expect(again.ok).toBe(true);
    // Nothing stored was lost: both finished generations are there, the failed one left nothing.
    const stored = await engine.call('generations.list', {});
    expect((stored as { value: GenerationInfo[] }).value).toHaveLength(2);
  }, 120_000);

  it('dies outright: the job in flight fails with a sentence, the worker is replaced, the next generation works', async () => {
    const { generate } = await studio('exit:generate:1');
    const failed = await generate();
    expect(failed).toMatchObject({ ok: false, error: { kind: 'unavailable', message: expect.stringMatching(/the generator stopped unexpectedly .*and was restarted; try again/) } });
    // The replacement worker finds the fault's marker and runs normally.
    expect((await generate()).ok).toBe(true);
  }, 120_000);

  it('a generation that does not answer its cancel (a step that cannot be interrupted) has its worker replaced after the grace period', async () => {
    const { engine, folk, fired } = await studio('hang:generate:1', { cancelGraceMs: 500 });
    const stuck = engine.call('generations.generate', { modelId: folk, primer: { kind: 'none' }, jobId: 'stuck' });
    // The worker marks the fault as it starts to hang; the cancel then reaches a thread that never reads it.
    await expect.poll(() => fs.existsSync(fired), { timeout: 60_000, interval: 50 }).toBe(true);
    const cancel = await engine.call('generations.cancel', { jobId: 'stuck' });
    expect(cancel).toMatchObject({ ok: true, value: { cancelled: true } });
    expect(await stuck).toMatchObject({ ok: false, error: { kind: 'cancelled' } });
    const next = await engine.call('generations.generate', { modelId: folk, primer: { kind: 'note', pitch: 60 }, length: { unit: 'bars', value: 1 }, variations: 1 });
    expect(next.ok).toBe(true);
  }, 120_000);

  it('a worker grown past its ceiling is recycled between jobs, and generating still works', async () => {
    const { engine, generate } = await studio(undefined, { recycleMb: 1 });
    expect((await generate()).ok).toBe(true);
    // Recycled after the job (its heap is far over 1 MB), so the next probe meets a fresh worker with nothing loaded.
    await expect.poll(async () => (await engine.workerMemory()).generation.cachedModels, { timeout: 20_000 }).toBe(0);
    expect((await generate()).ok).toBe(true);
  }, 120_000);
});

describe('a training worker that aborts comes back', () => {
  it('the run in flight is interrupted (resumable) with a sentence, and resuming it trains in a fresh worker', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-recovery-'));
    dirs.push(dir);
    process.env.ETUDE_TEST_FAULT = `abort:train:1:${path.join(dir, 'fault-fired')}`;
    const engine = Engine.open({ dbPath: path.join(dir, 'etude.db'), baseModels: false, backend: 'wasm' });
    engines.push(engine);
    const corpora = (await engine.call('corpora.list', {})) as { value: { id: number }[] };
    const vocab = (await engine.call('vocabularies.build', { corpusId: corpora.value[0]!.id, encoding: 'events' })) as { value: { id: number } };
    const started = (await engine.call('training.start', {
      vocabularyId: vocab.value.id,
      model: 'aborting',
      spec: { arch: 'lstm', embedding: 16, units: 32, layers: 1, dropout: 0, dense: 0 },
      hyperparams: { epochs: 1, batchSize: 32, sequenceLength: 32, stride: 8, learningRate: 0.01, seed: 1 },
    })) as { value: RunInfo };
    const interrupted = await engine.training.waitFor(started.value.id);
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.message).toMatch(/^the training worker ran out of memory and was restarted; resume to continue from the last checkpoint$/);
    expect((await engine.call('training.resume', { runId: started.value.id })).ok).toBe(true);
    expect((await engine.training.waitFor(started.value.id)).status).toBe('completed');
  }, 120_000);
});

describe('the generation worker keeps the model it just used', () => {
  it('evicts the least recently used model past its bound, and frees it', async () => {
    // Room for one base model's weights (folk 3.5 MB, chorales 5.6 MB), not both.
    const { engine, generate } = await studio(undefined, { modelCacheMb: 6 });
    const models = (await engine.call('models.list', {})) as { value: ModelSummary[] };
    const chorales = models.value.find((m) => m.baseName === 'chorales-keyboard')!.id;
    expect((await generate()).ok).toBe(true);
    const folkOnly = (await engine.workerMemory()).generation;
    expect(folkOnly.cachedModels).toBe(1);
    const other = await engine.call('generations.generate', { modelId: chorales, primer: { kind: 'note', pitch: 60 }, length: { unit: 'bars', value: 1 }, variations: 1 });
    expect(other.ok).toBe(true);
    expect((await engine.workerMemory()).generation.cachedModels).toBe(1);
    expect((await generate()).ok).toBe(true);
    const again = (await engine.workerMemory()).generation;
    // The chorales model was freed when the folk model came back: what is held is the folk model alone, as before.
    expect({ models: again.cachedModels, tensors: again.numTensors, bytes: again.numBytes }).toEqual({ models: 1, tensors: folkOnly.numTensors, bytes: folkOnly.numBytes });
  }, 120_000);

  it('a second generation with the same model does not load it again', async () => {
    const { engine, generate } = await studio(undefined, { modelCacheMb: 64 });
    expect((await generate()).ok).toBe(true);
    expect((await engine.workerMemory()).generation.cachedModels).toBe(1);
    const before = (await engine.workerMemory()).generation;
    expect((await generate()).ok).toBe(true);
    const after = (await engine.workerMemory()).generation;
    // Kept, not loaded again: the same tensors, the same bytes.
    expect({ n: after.numTensors, b: after.numBytes }).toEqual({ n: before.numTensors, b: before.numBytes });
  }, 120_000);
});
