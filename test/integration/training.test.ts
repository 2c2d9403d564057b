import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import type { EventMessage, MethodName } from '../../src/shared/api';
import type { CheckpointInfo, MetricPoint, ModelInfo, RunInfo } from '../../src/shared/training';
import { ETUDE_BIN } from '../helpers/repo';
import { tempDir } from '../helpers/tmp';

const TINY = { arch: 'lstm', embedding: 16, units: 48, layers: 1, dropout: 0.2, dense: 0 } as const;
const QUICK = { epochs: 2, batchSize: 32, sequenceLength: 24, learningRate: 0.01, seed: 5 };

let engine: Engine | null = null;
afterEach(async () => {
  await engine?.close();
  engine = null;
});

async function call<T = unknown>(e: Engine, method: MethodName, input: unknown): Promise<T> {
  const reply = await e.call(method, input);
  if (!reply.ok) throw new Error(`${reply.error.kind}: ${reply.error.message}`);
  return reply.value as T;
}

/** An engine on a fresh database with the starter tunes encoded as notes and chords. */
async function setup(dbPath = path.join(tempDir(), 'train.db')) {
  engine = Engine.open({ dbPath });
  const [corpus] = await call<{ id: number }[]>(engine, 'corpora.list', {});
  const vocab = await call<{ id: number }>(engine, 'vocabularies.build', { corpusId: corpus!.id, encoding: 'notes-chords' });
  return { e: engine, vocabularyId: vocab.id, dbPath };
}

const batchLosses = (points: MetricPoint[]) => new Map(points.filter((p) => p.kind === 'batch').map((p) => [p.step, p.loss!]));

describe('training (real worker, real database)', () => {
  it('lowers the loss of an LSTM on a small real corpus, storing every point and the checkpoints', async () => {
    const { e, vocabularyId } = await setup();
    const epochs: number[] = [];
    e.on((m: EventMessage) => {
      if (m.event === 'training.epoch') epochs.push(m.payload.valLoss!);
    });
    const run = await call<RunInfo>(e, 'training.start', { vocabularyId, model: 'falls', spec: TINY, hyperparams: { ...QUICK, epochs: 3 } });
    const done = await e.training.waitFor(run.id);
    expect(done.status).toBe('completed');
    expect(epochs).toHaveLength(3);
    const metrics = await call<MetricPoint[]>(e, 'runs.metrics', { runId: run.id });
    expect(metrics.filter((p) => p.kind === 'batch')).toHaveLength(done.step);
    const epochPoints = metrics.filter((p) => p.kind === 'epoch');
    expect(epochPoints.map((p) => p.valLoss)).toEqual(epochs);
    // A relative drop: the training loss falls by a tenth, and validation improves on its first value.
    expect(epochPoints.at(-1)!.loss!).toBeLessThan(epochPoints[0]!.loss! * 0.9);
    expect(Math.min(...epochs.slice(1))).toBeLessThan(epochs[0]!);
    const checkpoints = await call<CheckpointInfo[]>(e, 'runs.checkpoints', { runId: run.id });
    expect(checkpoints.map((c) => c.kind).sort()).toEqual(['best', 'periodic', 'periodic', 'periodic']);
    // Audition by checkpoint: each holds the same fixed primer and the model's continuation after the seam.
    const auditions = checkpoints.map((c) => c.audition!);
    expect(new Set(auditions.map((a) => a.primerLabel)).size).toBe(1);
    expect(auditions[0]!.primerLabel).toMatch(/, bars 1–2$/);
    for (const a of auditions) {
      const primerNotes = a.notes.filter((n) => n.startTick < a.seamTick);
      expect(primerNotes).toEqual(auditions[0]!.notes.filter((n) => n.startTick < auditions[0]!.seamTick));
      expect(a.notes.some((n) => n.startTick >= a.seamTick)).toBe(true);
    }
    // The best and the periodic checkpoint of one epoch share one rendering; other epochs sound different.
    const byStep = new Map<number, CheckpointInfo[]>();
    for (const c of checkpoints) byStep.set(c.step, [...(byStep.get(c.step) ?? []), c]);
    for (const group of byStep.values()) expect(new Set(group.map((c) => JSON.stringify(c.audition))).size).toBe(1);
    expect(new Set(checkpoints.map((c) => JSON.stringify(c.audition))).size).toBe(byStep.size);
    expect(done.bestValLoss).toBe(Math.min(...epochs));
  });

  it('trains the seed-004 pitch/step/duration model, reporting each head, with transposition', async () => {
    engine = Engine.open({ dbPath: path.join(tempDir(), 'psd.db') });
    const e = engine;
    const [corpus] = await call<{ id: number }[]>(e, 'corpora.list', {});
    const vocab = await call<{ id: number }>(e, 'vocabularies.build', { corpusId: corpus!.id, encoding: 'pitch-step-duration' });
    const tokens = await call<{ id: number }>(e, 'vocabularies.build', { corpusId: corpus!.id, encoding: 'events' });
    expect(await e.call('training.start', { vocabularyId: tokens.id, model: 'wrong', spec: { arch: 'psd-lstm', units: 32, layers: 1 } })).toMatchObject({
      ok: false,
      error: { kind: 'invalid_input', message: expect.stringMatching(/encode the corpus as pitch-step-duration/) },
    });
    const run = await call<RunInfo>(e, 'training.start', {
      vocabularyId: vocab.id,
      model: 'psd',
      spec: { arch: 'psd-lstm', units: 32, layers: 1 },
      hyperparams: { epochs: 3, batchSize: 32, sequenceLength: 16, learningRate: 0.01, transpose: 2 },
    });
    const done = await e.training.waitFor(run.id);
    expect(done.status).toBe('completed');
    const epochs = (await call<MetricPoint[]>(e, 'runs.metrics', { runId: run.id })).filter((p) => p.kind === 'epoch');
    expect(Object.keys(epochs[0]!.heads!).sort()).toEqual(['duration', 'pitch', 'step', 'val_duration', 'val_pitch', 'val_step']);
    // The weighted sum of the heads is the loss (0.05·pitch + step + duration).
    const h = epochs[0]!.heads!;
    expect(0.05 * h.val_pitch! + h.val_step! + h.val_duration!).toBeCloseTo(epochs[0]!.valLoss!, 4);
    // A short run on 60 tunes: the training loss and the pitch head fall (timing heads wobble this early).
    expect(epochs.at(-1)!.loss!).toBeLessThan(epochs[0]!.loss! * 0.99);
    expect(epochs.at(-1)!.heads!.val_pitch!).toBeLessThan(epochs[0]!.heads!.val_pitch!);
  });

  it('trains the seed-002 bidirectional GRU on frames, predicting the frame after each window', async () => {
    engine = Engine.open({ dbPath: path.join(tempDir(), 'bigru.db') });
    const e = engine;
    const [corpus] = await call<{ id: number }[]>(e, 'corpora.list', {});
    const vocab = await call<{ id: number }>(e, 'vocabularies.build', { corpusId: corpus!.id, encoding: 'frames' });
    const run = await call<RunInfo>(e, 'training.start', {
      vocabularyId: vocab.id,
      model: 'frames',
      spec: { arch: 'bigru', embedding: 16, units: 16, layers: 2, dense: 32, dropout: 0 },
      hyperparams: { epochs: 2, batchSize: 64, sequenceLength: 12, learningRate: 0.02 },
    });
    const done = await e.training.waitFor(run.id);
    expect(done.status).toBe('completed');
    const epochs = (await call<MetricPoint[]>(e, 'runs.metrics', { runId: run.id })).filter((p) => p.kind === 'epoch');
    expect(epochs.at(-1)!.loss!).toBeLessThan(epochs[0]!.loss! * 0.95);
  });

  it('trains a decoder-only Transformer on events: the loss falls, and learned positions refuse windows longer than their table', async () => {
    engine = Engine.open({ dbPath: path.join(tempDir(), 'transformer.db') });
    const e = engine;
    const [corpus] = await call<{ id: number }[]>(e, 'corpora.list', {});
    const vocab = await call<{ id: number }>(e, 'vocabularies.build', { corpusId: corpus!.id, encoding: 'events' });
    const spec = { arch: 'transformer', embedding: 32, heads: 4, layers: 2, feedForward: 64, dropout: 0.1, positions: 'relative' };
    const run = await call<RunInfo>(e, 'training.start', {
      vocabularyId: vocab.id,
      model: 'attention',
      spec,
      hyperparams: { epochs: 3, batchSize: 32, sequenceLength: 32, stride: 16, learningRate: 0.003, seed: 2 },
    });
    const done = await e.training.waitFor(run.id);
    expect(done.status, done.message ?? '').toBe('completed');
    const epochs = (await call<MetricPoint[]>(e, 'runs.metrics', { runId: run.id })).filter((p) => p.kind === 'epoch');
    expect(epochs.at(-1)!.loss!).toBeLessThan(epochs[0]!.loss! * 0.9);
    expect(epochs.at(-1)!.valLoss!).toBeLessThan(epochs[0]!.valLoss!);
    const refused = await e.call('training.start', {
      vocabularyId: vocab.id,
      model: 'too long',
      spec: { ...spec, positions: 'learned', context: 16 },
      hyperparams: { sequenceLength: 32 },
    });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'invalid_input', message: expect.stringMatching(/learned positions.*16/) } });
  });

  it('trains the seed-001 RBM on piano-roll windows with contrastive divergence: the reconstruction error falls', async () => {
    engine = Engine.open({ dbPath: path.join(tempDir(), 'rbm.db') });
    const e = engine;
    const [corpus] = await call<{ id: number }[]>(e, 'corpora.list', {});
    const vocab = await call<{ id: number }>(e, 'vocabularies.build', { corpusId: corpus!.id, encoding: 'piano-roll' });
    const estimate = await call<{ parameters: number }>(e, 'training.estimate', { vocabularyId: vocab.id, spec: { arch: 'rbm', hidden: 32, cdK: 1 }, hyperparams: { sequenceLength: 8 } });
    expect(estimate.parameters).toBe(8 * 158 * 32 + 8 * 158 + 32);
    const run = await call<RunInfo>(e, 'training.start', {
      vocabularyId: vocab.id,
      model: 'rbm',
      spec: { arch: 'rbm', hidden: 32, cdK: 1 },
      hyperparams: { epochs: 3, batchSize: 100, sequenceLength: 8, optimizer: 'sgd', learningRate: 0.1 },
    });
    const done = await e.training.waitFor(run.id);
    expect(done.status, done.message ?? '').toBe('completed');
    const metrics = await call<MetricPoint[]>(e, 'runs.metrics', { runId: run.id });
    const first = metrics.find((p) => p.kind === 'batch')!.loss!;
    const epochs = metrics.filter((p) => p.kind === 'epoch');
    // Most bits are off, so the error falls fast in the first epoch, and keeps falling.
    expect(epochs.at(-1)!.valLoss!).toBeLessThan(first * 0.2);
    expect(epochs.at(-1)!.loss!).toBeLessThan(epochs[0]!.loss!);
    const checkpoints = await call<{ kind: string }[]>(e, 'runs.checkpoints', { runId: run.id });
    expect(checkpoints.length).toBeGreaterThan(0);
  });

  it('resumes a stopped run exactly where it stopped: the same losses as a run never interrupted', async () => {
    const { e, vocabularyId } = await setup();
    const started = await call<RunInfo>(e, 'training.start', { vocabularyId, model: 'straight', spec: TINY, hyperparams: QUICK });
    const straight = await e.training.waitFor(started.id);

    const off = e.on((m: EventMessage) => {
      if (m.event === 'training.batch' && m.payload.runId !== straight.id && m.payload.step === 5) void e.call('training.stop', { runId: m.payload.runId });
    });
    const broken = await call<RunInfo>(e, 'training.start', { vocabularyId, model: 'broken', spec: TINY, hyperparams: QUICK });
    const stopped = await e.training.waitFor(broken.id);
    off();
    expect(stopped.status).toBe('stopped');
    expect(stopped.step).toBeGreaterThanOrEqual(5);
    expect(stopped.step).toBeLessThan(straight.step);
    await call(e, 'training.resume', { runId: broken.id });
    const resumed = await e.training.waitFor(broken.id);
    expect(resumed.status).toBe('completed');
    expect(resumed.step).toBe(straight.step);

    const a = batchLosses(await call<MetricPoint[]>(e, 'runs.metrics', { runId: straight.id }));
    const b = batchLosses(await call<MetricPoint[]>(e, 'runs.metrics', { runId: broken.id }));
    expect([...b.keys()]).toEqual([...a.keys()]);
    // Bit for bit: same weights, optimizer state (Adam's running powers included), window order and dropout masks.
    for (const [step, loss] of a) expect(b.get(step)!, `step ${step}`).toBe(loss);
  });

  it('pauses and resumes a running job, and a cancelled run keeps its checkpoints', async () => {
    const { e, vocabularyId } = await setup();
    const statuses: string[] = [];
    let paused = false;
    e.on((m: EventMessage) => {
      if (m.event === 'training.status') statuses.push(m.payload.run.status);
      if (m.event === 'training.batch' && m.payload.step === 3 && !paused) {
        paused = true;
        void e.call('training.pause', { runId: m.payload.runId }).then(() => setTimeout(() => void e.call('training.resume', { runId: m.payload.runId }), 200));
      }
      if (m.event === 'training.epoch' && m.payload.epoch === 1) void e.call('training.cancel', { runId: m.payload.runId });
    });
    const run = await call<RunInfo>(e, 'training.start', { vocabularyId, model: 'interrupted', spec: TINY, hyperparams: { ...QUICK, epochs: 4 } });
    const done = await e.training.waitFor(run.id);
    expect(statuses).toContain('paused');
    expect(statuses.indexOf('paused')).toBeLessThan(statuses.lastIndexOf('running'));
    expect(done.status).toBe('cancelled');
    const checkpoints = await call<{ kind: string }[]>(e, 'runs.checkpoints', { runId: run.id });
    expect(checkpoints.map((c) => c.kind)).toContain('best');
    expect(done.epoch).toBeLessThan(4);
  });

  it('marks a run interrupted when the training worker dies, and resumes it on a fresh worker', async () => {
    const { e, vocabularyId } = await setup();
    let killed = false;
    e.on((m: EventMessage) => {
      if (m.event === 'training.checkpoint' && !killed) {
        killed = true;
        // As if the worker ran out of memory: the thread ends without a word.
        void (e as unknown as { tf: { close(): Promise<void> } }).tf.close();
      }
    });
    const run = await call<RunInfo>(e, 'training.start', { vocabularyId, model: 'crashy', spec: TINY, hyperparams: { ...QUICK, epochs: 3 } });
    const crashed = await e.training.waitFor(run.id);
    expect(crashed.status).toBe('interrupted');
    expect(crashed.message).toMatch(/worker stopped unexpectedly/);
    await call(e, 'training.resume', { runId: run.id });
    const done = await e.training.waitFor(run.id);
    expect(done.status).toBe('completed');
    expect(done.epoch).toBe(3);
  });

  it('stops a diverging run by itself, saying why', async () => {
    const { e, vocabularyId } = await setup();
    const run = await call<RunInfo>(e, 'training.start', {
      vocabularyId,
      model: 'runaway',
      // The dense layer makes the blow-up certain: without it whether the loss crosses the
      // threshold at lr 1 hangs on float rounding (the fused LSTM kernels' differs from TF.js ops').
      spec: { ...TINY, dropout: 0, dense: 64 },
      hyperparams: { ...QUICK, optimizer: 'rmsprop', learningRate: 1, epochs: 5 },
    });
    const done = await e.training.waitFor(run.id);
    expect(done.status).toBe('diverged');
    expect(done.message).toMatch(/^the loss (exploded to \d+\.\d+|became NaN) at step \d+; the run stopped (and kept its best checkpoint|before its first checkpoint)\. Try a lower learning rate/);
    expect(done.epoch).toBeLessThan(5);
  });

  it('refuses bad hyperparameters and explains a corpus too small for one batch', async () => {
    const { e, vocabularyId } = await setup();
    for (const hyperparams of [{ batchSize: 0 }, { learningRate: 5 }, { optimizer: 'adagrad' }, { epochs: 1.5 }]) {
      expect(await e.call('training.start', { vocabularyId, model: `bad ${JSON.stringify(hyperparams)}`, spec: TINY, hyperparams })).toMatchObject({
        ok: false,
        error: { kind: 'invalid_input' },
      });
    }
    // A window at every step (as the seeds trained) takes whole batches: too few windows for one is refused, saying why.
    const run = await call<RunInfo>(e, 'training.start', { vocabularyId, model: 'huge batch', spec: TINY, hyperparams: { batchSize: 4000, sequenceLength: 24, stride: 1 } });
    const done = await e.training.waitFor(run.id);
    expect(done.status).toBe('failed');
    expect(done.message).toMatch(/too small for one batch: \d+ training windows of 24 steps, and a batch takes 4000/);
    // Tiled windows (the default) take a last, smaller batch: the same corpus trains, one step an epoch.
    const tiled = await call<RunInfo>(e, 'training.start', { vocabularyId, model: 'huge tiled batch', spec: TINY, hyperparams: { batchSize: 4000, sequenceLength: 24, epochs: 1 } });
    expect(await e.training.waitFor(tiled.id)).toMatchObject({ status: 'completed', step: 1 });
    expect(await e.call('training.start', { vocabularyId, model: 'huge batch', spec: TINY })).toMatchObject({ ok: false, error: { kind: 'conflict' } });
  });

  it('survives kill -9 mid-epoch: the database is intact, the run shows as interrupted and resumes from its checkpoint', async () => {
    const dbPath = path.join(tempDir(), 'killed.db');
    const child = spawn(
      process.execPath,
      [ETUDE_BIN, 'train', '--corpus', 'Starter tunes', '--encoding', 'notes-chords', '--arch', 'lstm', '--model', 'victim', '--set', 'units=48', '--set', 'dense=0',
        '--epochs', '3', '--batch-size', '32', '--sequence-length', '24', '--learning-rate', '0.01', '--db', dbPath, '--json'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    // Wait for the first checkpoint and a few batches after it, then kill without warning.
    await new Promise<void>((resolve, reject) => {
      let checkpointStep = -1;
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        const m = JSON.parse(line) as { type?: string; step?: number };
        if (m.type === 'checkpoint' && checkpointStep < 0) checkpointStep = m.step!;
        if (m.type === 'batch' && checkpointStep >= 0 && m.step! >= checkpointStep + 5) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', (code) => (code === 0 ? reject(new Error('training ended before it could be killed')) : undefined));
    });
    await new Promise((resolve) => child.once('exit', resolve));

    const raw = new Database(dbPath, { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(raw.prepare(`SELECT r.status FROM runs r JOIN models m ON m.id = r.model_id WHERE m.base_name IS NULL`).pluck().get()).toBe('running'); // as the dead process left it
    raw.close();

    engine = Engine.open({ dbPath });
    const own = (await call<ModelInfo[]>(engine, 'models.list', {})).filter((m) => !m.base);
    expect(own).toHaveLength(1);
    const run = (await call<RunInfo[]>(engine, 'runs.list', {})).find((r) => r.modelId === own[0]!.id);
    expect(run!.status).toBe('interrupted');
    const checkpoint = (await call<{ step: number }[]>(engine, 'runs.checkpoints', { runId: run!.id })).at(-1)!;
    await call(engine, 'training.resume', { runId: run!.id });
    const done = await engine.training.waitFor(run!.id);
    expect(done.status).toBe('completed');
    const steps = [...batchLosses(await call<MetricPoint[]>(engine, 'runs.metrics', { runId: run!.id })).keys()];
    // The curve continues from the checkpoint with no gap and no duplicate steps.
    expect(steps).toEqual(Array.from({ length: done.step }, (_, i) => i + 1));
    expect(checkpoint.step).toBeGreaterThan(0);
  });
});
