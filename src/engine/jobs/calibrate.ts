/**
 * A short calibration on this machine: the model a run would train, on the run's own windows, for
 * a few steps, timed; one validation batch timed; the process's peak memory meanwhile. What the
 * estimate before Start and the budget planner compute from. Trains nothing that is kept.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SequenceDataset } from '../dataset/sequence-dataset';
import { architectureOf, createModel, parameterCount, parseSpec, rowsPerPass } from '../models/registry';
import type { Calibration } from '../workers/protocol';
import type { JobRunner } from './job-context';
import { batchOf } from './train/batches';
import { windowsOf } from './train/prepare';
import { makeOptimizer, trainStep } from './train/step';

/** Timed steps: at least this many, and at least this long (a fast step is timed over several). */
const MIN_STEPS = 3;
const MIN_SECONDS = 1.5;
const MAX_STEPS = 30;

export const calibrate: JobRunner<'calibrate'> = async ({ vocabularyId, spec: raw, hyperparams: hp }, { store }): Promise<Calibration> => {
  const spec = parseSpec(raw);
  const vocab = store.vocabularies.get(vocabularyId);
  const dataset = SequenceDataset.load(store, vocab.id);
  const windows = windowsOf(dataset, hp, hp.stride === 0 && architectureOf(spec.arch).predictsEveryPosition);
  const first = windows.windowsFor(0);
  const visible = hp.sequenceLength * dataset.width;
  const model = createModel(spec, vocab.size, hp.seed, { lossWeights: hp.lossWeights, visible });
  const optimizer = makeOptimizer(hp);
  let peakRss = process.memoryUsage().rss;
  const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
  try {
    const order = first.shuffled(hp.seed);
    const passRows = rowsPerPass(spec, vocab.size, hp.sequenceLength, hp.batchSize);
    const batches = windows.batchesOf(first);
    const batchAt = (b: number) => batchOf(first, order.subarray((b % batches) * hp.batchSize, ((b % batches) + 1) * hp.batchSize), null);
    // One step to warm up (first kernels compile, buffers grow), then timed steps.
    await trainStep(model, optimizer, batchAt(0), 1, hp.clipNorm, passRows);
    sample();
    let steps = 0;
    const started = performance.now();
    while (steps < MAX_STEPS && (steps < MIN_STEPS || performance.now() - started < MIN_SECONDS * 1000)) {
      // A run training in this worker meanwhile gets its pause or stop in between our steps.
      await new Promise((resolve) => setImmediate(resolve));
      await trainStep(model, optimizer, batchAt(steps + 1), steps + 2, hp.clipNorm, passRows);
      steps++;
      sample();
    }
    const secondsPerStep = (performance.now() - started) / 1000 / steps;
    const validationBatches = Math.ceil(windows.validation.count / hp.batchSize);
    let validationSecondsPerBatch = 0;
    if (windows.validation.count > 0) {
      const ids = Array.from({ length: Math.min(hp.batchSize, windows.validation.count) }, (_, i) => i);
      const t0 = performance.now();
      tf.tidy(() => model.loss(batchOf(windows.validation, ids, null), false, 0).loss.dataSync());
      validationSecondsPerBatch = (performance.now() - t0) / 1000;
      sample();
    }
    return {
      windowsPerEpoch: first.count,
      batchesPerEpoch: batches,
      secondsPerStep,
      validationBatches,
      validationSecondsPerBatch,
      peakRssMb: Math.round(peakRss / 2 ** 20),
      parameters: parameterCount(spec, vocab.size, visible),
    };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
};
