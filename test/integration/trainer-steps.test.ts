/**
 * The steps a training run is made of, each on its own, in this process on a real database:
 * prepare (where a run stands), steer (pause, stop, cancel, time limit), the run log's clock,
 * an epoch and its close (checkpoints, best validation).
 */
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildVocabulary } from '../../src/engine/encode/build-vocabulary';
import { ensureStarterCorpus } from '../../src/engine/corpus/starter';
import { Checkpointer } from '../../src/engine/jobs/train/checkpointer';
import { steer, type Steering } from '../../src/engine/jobs/train/controls';
import { closeEpoch, trainEpoch, type EpochParts } from '../../src/engine/jobs/train/epoch';
import { prepareRun, type PreparedRun } from '../../src/engine/jobs/train/prepare';
import { RunEta, RunLog } from '../../src/engine/jobs/train/progress';
import { JobControl } from '../../src/engine/jobs/job-context';
import { parameterCount } from '../../src/engine/models/registry';
import { Store } from '../../src/engine/store/store';
import { selectBackend } from '../../src/engine/tf/backend';
import type { TrainControl, TrainEvent } from '../../src/engine/workers/protocol';
import { hyperparams } from '../../src/shared/training';
import type { BackendInfo } from '../../src/shared/api';
import { tempDir } from '../helpers/tmp';

const SPEC = { arch: 'lstm', embedding: 8, units: 16, layers: 1, dropout: 0, dense: 0 };
let backend: BackendInfo;
const open: { store: Store; run: PreparedRun | null }[] = [];

beforeAll(async () => {
  backend = await selectBackend('cpu');
});
afterEach(() => {
  for (const o of open.splice(0)) {
    o.run?.model.dispose();
    o.run?.optimizer.dispose();
    o.store.close();
  }
});

async function newRun(hp: Record<string, number> = {}) {
  const store = Store.open(path.join(tempDir(), 'steps.db'));
  const slot: { store: Store; run: PreparedRun | null } = { store, run: null };
  open.push(slot);
  await ensureStarterCorpus(store);
  const corpus = store.corpora.list()[0]!;
  const vocab = await buildVocabulary(store, { corpusId: corpus.id, encoding: 'notes-chords' });
  const model = store.models.create({ name: 'steps', vocabularyId: vocab.id, corpusId: corpus.id, spec: SPEC, parameters: parameterCount(SPEC, vocab.size) });
  const run = store.runs.createRun(model.id, hyperparams.parse({ epochs: 2, batchSize: 16, sequenceLength: 16, seed: 3, ...hp }));
  return { store, runId: run.id, slot };
}

function partsFor(store: Store, run: PreparedRun, control = new JobControl<TrainControl>(), events: TrainEvent[] = []): EpochParts {
  const log = new RunLog(store, run.run.id, { seconds: 0, bestValLoss: null });
  const report = (e: TrainEvent) => events.push(e);
  const checkpointer = new Checkpointer(store, run, report);
  const steering: Steering = { store, runId: run.run.id, backend, control, log, checkpointer, report, maxSeconds: run.hp.maxSeconds, sessionStarted: performance.now() };
  return { run, position: run.position, log, checkpointer, steering, report, firstLoss: null, eta: new RunEta(1) };
}

describe('training steps', () => {
  it('prepare: a new run starts at zero; a run with progress and no checkpoint is refused', async () => {
    const { store, runId, slot } = await newRun();
    const run = (slot.run = await prepareRun(store, runId));
    expect(run.position).toEqual({ epoch: 0, batchInEpoch: 0, step: 0 });
    // The default (stride 0) tiles each piece: an epoch's windows hold every training step once as a target.
    const epoch = run.windowsFor(0);
    expect(run.batchesOf(epoch)).toBe(Math.ceil(epoch.count / 16));
    expect(run.plannedSteps).toBe(run.batchesOf(epoch) * 2);
    expect(run.validation.count).toBeGreaterThan(0);
    store.runs.progress(runId, { epoch: 0, step: 5, bestValLoss: null, seconds: 1 });
    await expect(prepareRun(store, runId)).rejects.toThrow(/progress but no checkpoint/);
  });

  it('an epoch then its close: every batch on the curve, a best and a periodic checkpoint, and prepare resumes where it stood', async () => {
    const { store, runId, slot } = await newRun();
    const run = (slot.run = await prepareRun(store, runId));
    const events: TrainEvent[] = [];
    const parts = partsFor(store, run, undefined, events);
    const trained = await trainEpoch(parts);
    expect(trained.kind).toBe('trained');
    expect(events.filter((e) => e.type === 'batch')).toHaveLength(run.batchesOf(run.windowsFor(0)));
    const closed = await closeEpoch(parts, trained as Extract<typeof trained, { kind: 'trained' }>);
    expect(closed.better).toBe(true);
    expect(parts.position).toEqual({ epoch: 1, batchInEpoch: 0, step: run.batchesOf(run.windowsFor(0)) });
    expect(store.runs.checkpoints(runId).map((c) => c.kind).sort()).toEqual(['best', 'periodic']);
    expect(store.runs.metrics(runId).filter((p) => p.kind === 'epoch')).toHaveLength(1);
    expect(store.runs.run(runId).bestValLoss).toBe(closed.valLoss);
    const again = await prepareRun(store, runId);
    expect(again.position).toEqual(parts.position);
    again.model.dispose();
    again.optimizer.dispose();
  });

  it('steer: stop ends with a checkpoint, cancel without, and a time limit counts this session only', async () => {
    const { store, runId, slot } = await newRun();
    const run = (slot.run = await prepareRun(store, runId));
    const control = new JobControl<TrainControl>();
    const parts = partsFor(store, run, control);
    expect(await steer(parts.steering, parts.position, null)).toBeNull();
    control.set('stop');
    expect(await steer(parts.steering, parts.position, null)).toMatchObject({ status: 'stopped', checkpoint: true });
    control.set('cancel');
    expect(await steer(parts.steering, parts.position, null)).toMatchObject({ status: 'cancelled', checkpoint: false });
    control.set('run');
    // A resumed run that trained for hours before still gets its whole limit in this session.
    parts.log = new RunLog(store, runId, { seconds: 10_000, bestValLoss: null });
    parts.steering = { ...parts.steering, log: parts.log, maxSeconds: 60 };
    expect(await steer(parts.steering, parts.position, null)).toBeNull();
    parts.steering.sessionStarted -= 61_000;
    expect(await steer(parts.steering, parts.position, null)).toMatchObject({ status: 'stopped', message: expect.stringMatching(/time limit \(1 min\)/) });
  });

  it('pause: saves a last checkpoint, reports paused, and the clock stands still until resumed', async () => {
    const { store, runId, slot } = await newRun();
    const run = (slot.run = await prepareRun(store, runId));
    const control = new JobControl<TrainControl>();
    const events: TrainEvent[] = [];
    const parts = partsFor(store, run, control, events);
    control.set('pause');
    const waiting = steer(parts.steering, parts.position, 1.5);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(store.runs.run(runId).status).toBe('paused');
    const pausedAt = parts.log.elapsed();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(parts.log.elapsed()).toBe(pausedAt);
    control.set('run');
    expect(await waiting).toBeNull();
    expect(events.map((e) => (e.type === 'status' ? e.status : e.type))).toEqual(['checkpoint', 'paused', 'running']);
    expect(store.runs.checkpoints(runId).map((c) => c.kind)).toEqual(['last']);
    expect(parts.log.elapsed()).toBeGreaterThan(pausedAt);
  });
});
