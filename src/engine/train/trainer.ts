/**
 * One training run, inside the worker that owns TF.js. The worker opens its own connection to the
 * database (WAL lets it write while the main thread reads), so metrics and checkpoints never
 * block the studio's main thread; the main thread only relays progress.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { BackendInfo } from '../../shared/api';
import type { BatchProgress, EpochProgress, Hyperparams, MetricPoint, RunStatus } from '../../shared/training';
import { SequenceDataset, TranspositionTable, WindowSet, binaryBatch, featureBatch, seededRandom } from '../dataset/sequence-dataset';
import { createModel, rowsPerPass } from '../models/factory';
import { loadOptimizer, saveOptimizer, type ManifestEntry } from '../models/param-set';
import type { Batch, TrainableModel } from '../models/types';
import { Store } from '../store/store';
import { FusedAdam } from './fused-adam';
import { auditionPrimer, renderAudition } from '../generate/audition';
import { vocabularyContext } from '../generate/load';
import type { CheckpointAudition } from '../../shared/training';
import { machineInfo } from './machine';

export type Control = 'run' | 'pause' | 'stop' | 'cancel';

export type TrainerMessage =
  | { type: 'train.status'; runId: number; status: RunStatus; message: string | null }
  | { type: 'train.batch'; progress: BatchProgress }
  | { type: 'train.epoch'; progress: EpochProgress }
  | { type: 'train.checkpoint'; runId: number; checkpointId: number; kind: 'best' | 'periodic' | 'last'; epoch: number; step: number }
  | { type: 'train.done'; runId: number; status: RunStatus; message: string | null };

export interface TrainJob {
  runId: number;
  dbPath: string;
  nativeBinding?: string;
}

/** The controls a running job reads between batches; set by messages from the main thread. */
export class JobControl {
  state: Control = 'run';
  private wake: (() => void) | null = null;

  set(next: Control): void {
    this.state = next;
    this.wake?.();
  }

  /** Waits while paused; returns the control that ended the pause. */
  async whilePaused(): Promise<Control> {
    while (this.state === 'pause') await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = null;
    return this.state;
  }
}

interface Checkpointable {
  model: TrainableModel;
  optimizer: tf.Optimizer;
}

async function serialise({ model, optimizer }: Checkpointable): Promise<{ manifest: string; weights: Uint8Array; optimizer: Uint8Array }> {
  const opt = await saveOptimizer(optimizer);
  return {
    manifest: JSON.stringify({ weights: model.params.manifest(), optimizer: opt.shapes, powers: opt.powers }),
    weights: await model.params.save(),
    optimizer: opt.bytes,
  };
}

/** Rows [from, from+n) of a batch, as a batch of its own. */
export function sliceBatch(batch: Batch, from: number, n: number): Batch {
  const per = batch.length * (batch.kind === 'tokens' ? 1 : batch.width);
  const cut = <A extends Int32Array | Float32Array>(a: A): A => a.subarray(from * per, (from + n) * per) as A;
  if (batch.kind === 'tokens') return { ...batch, x: cut(batch.x), y: cut(batch.y), batch: n };
  if (batch.kind === 'features') return { ...batch, x: cut(batch.x), y: cut(batch.y), batch: n };
  return { ...batch, x: cut(batch.x), batch: n };
}

/**
 * One optimizer step on one batch: loss, gradients (clipped to `clipNorm` when set), update.
 * A batch larger than `rowsPerPass` is taken in passes whose gradients are summed, weighted by
 * their share of the rows, before the one update: the same step in bounded memory. The benchmark
 * times this same function.
 */
export async function trainStep(
  model: TrainableModel,
  optimizer: tf.Optimizer,
  batch: Batch,
  dropoutSeed: number,
  clipNorm = 0,
  rowsPerPass = batch.batch,
): Promise<{ loss: number; heads: Record<string, number> | null }> {
  if (model.updates) {
    // Not gradient descent on the loss (the RBM's contrastive divergence): apply the model's own
    // update directions, and report its monitoring loss.
    const updates = tf.tidy(() => model.updates!(batch, dropoutSeed));
    optimizer.applyGradients(updates);
    tf.dispose(Object.values(updates));
    const monitored = tf.tidy(() => model.loss(batch, false, dropoutSeed).loss.dataSync()[0]!);
    return { loss: monitored, heads: null };
  }
  const passes = Math.ceil(batch.batch / Math.max(1, rowsPerPass));
  let grads: Record<string, tf.Tensor> = {};
  let loss = 0;
  let headSums: Record<string, number> | null = null;
  for (let p = 0; p < passes; p++) {
    const from = p * rowsPerPass;
    const rows = Math.min(rowsPerPass, batch.batch - from);
    const part = passes === 1 ? batch : sliceBatch(batch, from, rows);
    const weight = rows / batch.batch;
    let kept: Record<string, tf.Scalar> | null = null;
    // A pass's dropout masks are seeded by the step and the pass, so a resumed run draws the same.
    const { value, grads: partGrads } = tf.variableGrads(() => {
      const result = model.loss(part, true, passes === 1 ? dropoutSeed : dropoutSeed * 31 + p);
      // Per-head losses are read after the step: keep them past the gradient scope.
      if (result.heads) kept = Object.fromEntries(Object.entries(result.heads).map(([k, t]) => [k, tf.keep(t)]));
      return result.loss;
    }, model.params.variables);
    loss += (await value.data())[0]! * weight;
    value.dispose();
    if (passes === 1) grads = partGrads;
    else {
      for (const [name, g] of Object.entries(partGrads)) {
        const scaled = tf.mul(g, weight);
        const sum = grads[name] ? tf.add(grads[name]!, scaled) : scaled;
        if (grads[name]) {
          grads[name]!.dispose();
          scaled.dispose();
        }
        grads[name] = sum;
        g.dispose();
      }
    }
    const heads = kept as Record<string, tf.Scalar> | null;
    if (heads) {
      headSums ??= {};
      for (const [k, t] of Object.entries(heads)) headSums[k] = (headSums[k] ?? 0) + t.dataSync()[0]! * weight;
      tf.dispose(Object.values(heads));
    }
    if (p + 1 < passes) await yieldToLoop(); // let control messages in between passes of a long step
  }
  if (clipNorm > 0) {
    const norm = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))).dataSync()[0]!);
    if (norm > clipNorm) {
      for (const k of Object.keys(grads)) {
        const clipped = tf.mul(grads[k]!, clipNorm / norm);
        grads[k]!.dispose();
        grads[k] = clipped;
      }
    }
  }
  optimizer.applyGradients(grads as Record<string, tf.Tensor>);
  tf.dispose(Object.values(grads));
  return { loss, heads: headSums };
}

/** The batch for some windows, tokens or features as the vocabulary holds. */
function batchOf(windows: WindowSet, ids: ArrayLike<number>, transpose: { table: TranspositionTable | null; shifts: number[] } | null): Batch {
  const n = windows.sequenceLength;
  if (windows.dataset.representation === 'binary') {
    return { kind: 'binary', x: binaryBatch(windows, ids), batch: ids.length, length: n, width: windows.dataset.width };
  }
  if (windows.dataset.representation === 'features') {
    const { x, y } = featureBatch(windows, ids, transpose?.shifts);
    return { kind: 'features', x, y, batch: ids.length, length: n, width: windows.dataset.width };
  }
  const { x, y } = windows.tokenBatch(ids, transpose?.table ? { table: transpose.table, shifts: transpose.shifts } : undefined);
  return { kind: 'tokens', x, y, batch: ids.length, length: n };
}

function addHeads(sum: Record<string, number>, heads: Record<string, number> | null, weight = 1): void {
  if (heads) for (const [k, v] of Object.entries(heads)) sum[k] = (sum[k] ?? 0) + v * weight;
}

function meanHeads(sum: Record<string, number>, n: number): Record<string, number> | null {
  const keys = Object.keys(sum);
  return keys.length === 0 || n === 0 ? null : Object.fromEntries(keys.map((k) => [k, sum[k]! / n]));
}

export function makeOptimizer(hp: Pick<Hyperparams, 'optimizer' | 'learningRate'>): tf.Optimizer {
  // RMSprop as Keras configures it (rho 0.9, epsilon 1e-7), which seed 000 trained with.
  if (hp.optimizer === 'sgd') return tf.train.sgd(hp.learningRate);
  return hp.optimizer === 'rmsprop' ? tf.train.rmsprop(hp.learningRate, 0.9, 0, 1e-7) : new FusedAdam(hp.learningRate, 0.9, 0.999);
}

/** Mean loss (and per-head losses) over validation windows (non-overlapping), without dropout. */
function validate(model: TrainableModel, windows: WindowSet, batchSize: number): { loss: number; heads: Record<string, number> | null } | null {
  if (windows.count === 0) return null;
  let sum = 0;
  let n = 0;
  const heads: Record<string, number> = {};
  for (let start = 0; start < windows.count; start += batchSize) {
    const ids = Array.from({ length: Math.min(batchSize, windows.count - start) }, (_, i) => start + i);
    const batch = batchOf(windows, ids, null);
    tf.tidy(() => {
      const result = model.loss(batch, false, 0);
      sum += result.loss.dataSync()[0]! * ids.length;
      if (result.heads) addHeads(heads, Object.fromEntries(Object.entries(result.heads).map(([k, t]) => [k, t.dataSync()[0]!])), ids.length);
    });
    n += ids.length;
  }
  return { loss: sum / n, heads: meanHeads(heads, n) };
}

export async function runTraining(job: TrainJob, backend: BackendInfo, control: JobControl, post: (m: TrainerMessage) => void): Promise<void> {
  const store = Store.open(job.dbPath, { mustExist: true, ...(job.nativeBinding ? { nativeBinding: job.nativeBinding } : {}) });
  const runId = job.runId;
  let model: TrainableModel | null = null;
  let optimizer: tf.Optimizer | null = null;
  const finish = (status: RunStatus, message: string | null) => {
    store.training.setStatus(runId, status, message);
    post({ type: 'train.done', runId, status, message }); // the engine announces the final status
  };
  try {
    const run = store.training.run(runId);
    const info = store.training.model(run.modelId);
    const vocab = store.vocabularies.get(info.vocabularyId);
    const hp = run.hyperparams;

    const dataset = SequenceDataset.load(store, vocab.id);
    const split = dataset.split({ sequenceLength: hp.sequenceLength, validationFraction: hp.validationFraction, seed: hp.seed, stride: hp.stride });
    const train = split.train;
    const validation = new WindowSet(dataset, split.validation.pieces, hp.sequenceLength, hp.sequenceLength);
    if (train.count < hp.batchSize) {
      throw new Error(
        `the corpus is too small for one batch: ${train.count} training windows of ${hp.sequenceLength} steps, and a batch takes ${hp.batchSize}; ` +
          'lower the batch size or the sequence length, or add music',
      );
    }
    const transpositions =
      hp.transpose > 0 && vocab.representation === 'tokens' ? new TranspositionTable(store.vocabularies.tokens(vocab.id), vocab.encoding, vocab.params, hp.transpose) : null;
    const transposing = hp.transpose > 0 && (transpositions !== null || vocab.representation === 'features');
    const batches = Math.floor(train.count / hp.batchSize);

    model = createModel(info.spec, vocab.size, hp.seed, { lossWeights: hp.lossWeights, visible: hp.sequenceLength * dataset.width });
    const passRows = rowsPerPass(info.spec, vocab.size, hp.sequenceLength, hp.batchSize);
    optimizer = makeOptimizer(hp);
    let epoch = 0;
    let batchInEpoch = 0;
    let step = 0;
    let bestValLoss = run.bestValLoss;
    let secondsBefore = run.seconds;
    const resume = store.training.resumePoint(runId);
    if (resume) {
      const manifest = JSON.parse(resume.manifest) as { weights: ManifestEntry[]; optimizer: number[][]; powers?: number[] | null };
      model.params.load(manifest.weights, resume.weights);
      if (manifest.optimizer.length > 0) await loadOptimizer(optimizer, manifest.optimizer, resume.optimizer, manifest.powers ?? null);
      epoch = resume.epoch;
      batchInEpoch = resume.batch;
      step = resume.step;
      store.training.truncateMetrics(runId, step);
    } else if (run.step > 0) {
      throw new Error('this run has progress but no checkpoint to resume from');
    } else {
      const start = store.training.runStart(runId);
      if (start) {
        // Continuing or fine-tuning: this run's first step starts from another checkpoint's weights.
        if (start.checkpointId === null) throw new Error(`the checkpoint this run was to start from (${start.label}) has been deleted`);
        const from = store.training.checkpoint(start.checkpointId);
        const manifest = JSON.parse(from.manifest) as { weights: ManifestEntry[]; optimizer: number[][]; powers?: number[] | null };
        const { widened } = model.params.loadOverlapping(manifest.weights, from.weights);
        const sameOptimizer = store.training.run(from.runId).hyperparams.optimizer === hp.optimizer;
        if (start.optimizer && sameOptimizer && widened.length === 0 && manifest.optimizer.length > 0) await loadOptimizer(optimizer, manifest.optimizer, from.optimizer, manifest.powers ?? null);
      }
    }
    store.training.claim(runId, backend.name);
    store.training.setMachine(runId, machineInfo(backend));
    post({ type: 'train.status', runId, status: 'running', message: null });

    const started = performance.now();
    const elapsed = () => secondsBefore + (performance.now() - started) / 1000;
    let pending: MetricPoint[] = [];
    let lastFlush = performance.now();
    const flush = () => {
      if (pending.length > 0) store.training.insertMetrics(runId, pending);
      pending = [];
      lastFlush = performance.now();
    };
    let firstLoss: number | null = null;
    let epochsWithoutBetter = 0;
    const epochTimes: number[] = [];

    // Audition by checkpoint: one fixed primer and seed for the whole run, rendered once per saved step.
    const primer = auditionPrimer(store, vocab.id, split.validation.pieces);
    const vocabContext = primer ? vocabularyContext(store, vocab.id) : null;
    let audition: { step: number; value: CheckpointAudition | null } | null = null;
    const auditionAt = async (): Promise<CheckpointAudition | null> => {
      if (!primer || !vocabContext) return null;
      if (audition?.step !== step) {
        try {
          audition = { step, value: await renderAudition(model!, vocabContext, primer, hp.sequenceLength, hp.seed) };
        } catch (err) {
          // An audition is a courtesy: training goes on without it.
          console.warn(`[trainer] run ${runId}: no audition at step ${step}: ${err instanceof Error ? err.message : String(err)}`);
          audition = { step, value: null };
        }
      }
      return audition.value;
    };

    const checkpoint = async (kind: 'best' | 'periodic' | 'last', loss: number | null, valLoss: number | null) => {
      const data = await serialise({ model: model!, optimizer: optimizer! });
      const id = store.training.saveCheckpoint(
        { modelId: info.id, runId, kind, epoch, step, batch: batchInEpoch, loss, valLoss, topology: JSON.stringify(info.spec), ...data },
        hp.keepLast,
      );
      if (kind !== 'last') {
        const heard = await auditionAt();
        if (heard) store.training.setAudition(id, heard);
      }
      post({ type: 'train.checkpoint', runId, checkpointId: id, kind, epoch, step });
      return id;
    };
    const saveProgress = () => store.training.progress(runId, { epoch, step, bestValLoss, seconds: elapsed() });

    /** Between batches: pause, stop, cancel or a time limit. Returns true when the run must end. */
    const interrupted = async (lastLoss: number | null): Promise<boolean> => {
      await yieldToLoop(); // let control messages in
      if (control.state === 'pause') {
        flush();
        await checkpoint('last', lastLoss, null);
        saveProgress();
        store.training.setStatus(runId, 'paused');
        post({ type: 'train.status', runId, status: 'paused', message: null });
        secondsBefore = elapsed();
        const next = await control.whilePaused();
        if (next === 'run') {
          store.training.claim(runId, backend.name);
          post({ type: 'train.status', runId, status: 'running', message: null });
        }
      }
      if (control.state === 'cancel') {
        flush();
        saveProgress();
        finish('cancelled', 'cancelled; its checkpoints are kept');
        return true;
      }
      const overTime = hp.maxSeconds !== undefined && elapsed() >= hp.maxSeconds;
      if (control.state === 'stop' || overTime) {
        flush();
        await checkpoint('last', lastLoss, null);
        saveProgress();
        finish('stopped', overTime ? `stopped at the time limit (${Math.round(hp.maxSeconds! / 60)} min); resume to continue` : 'stopped; resume to continue');
        return true;
      }
      return false;
    };

    while (epoch < hp.epochs) {
      const epochStarted = performance.now();
      const order = train.shuffled(hp.seed * 7919 + epoch);
      const shiftRandom = seededRandom(hp.seed * 104_729 + epoch);
      let epochLoss = 0;
      let epochBatches = 0;
      const epochHeads: Record<string, number> = {};
      let lastLoss: number | null = null;
      for (let b = 0; b < batches; b++) {
        // Shifts are drawn for every batch, also skipped ones, so a resumed epoch draws the same.
        const shifts = Array.from({ length: hp.batchSize }, () => (transposing ? Math.round((shiftRandom() * 2 - 1) * hp.transpose) : 0));
        if (b < batchInEpoch) continue;
        if (await interrupted(lastLoss)) return;
        const t0 = performance.now();
        const windows = order.subarray(b * hp.batchSize, (b + 1) * hp.batchSize);
        const batch = batchOf(train, windows, transposing ? { table: transpositions, shifts } : null);
        const { loss, heads } = await trainStep(model, optimizer, batch, hp.seed * 1_000_003 + step, hp.clipNorm, passRows);
        step++;
        batchInEpoch = b + 1;
        lastLoss = loss;

        firstLoss ??= loss;
        if (!Number.isFinite(loss) || loss > Math.max(10 * firstLoss, firstLoss + 20)) {
          flush();
          saveProgress();
          const kept = store.training.checkpoints(runId).some((c) => c.kind === 'best')
            ? 'the run stopped and kept its best checkpoint'
            : 'the run stopped before its first checkpoint';
          finish(
            'diverged',
            `the loss ${Number.isFinite(loss) ? `exploded to ${loss.toFixed(2)}` : 'became NaN'} at step ${step}; ${kept}. Try a lower learning rate, or clipNorm.`,
          );
          return;
        }
        epochLoss += loss;
        epochBatches++;
        addHeads(epochHeads, heads);
        const seconds = (performance.now() - t0) / 1000;
        pending.push({ kind: 'batch', step, epoch, loss, valLoss: null, heads, at: Date.now() });
        post({
          type: 'train.batch',
          progress: { runId, epoch, batch: b + 1, batches, step, loss, heads, samplesPerSecond: hp.batchSize / seconds },
        });
        if (performance.now() - lastFlush > 1000) {
          flush();
          saveProgress();
        }
      }

      // End of epoch: validation, curve point, checkpoints, early stopping.
      const validation_ = validate(model, validation, hp.batchSize);
      const valLoss = validation_?.loss ?? null;
      const trainLoss = epochBatches > 0 ? epochLoss / epochBatches : (lastLoss ?? 0);
      const trainHeads = meanHeads(epochHeads, epochBatches);
      epoch++;
      batchInEpoch = 0;
      epochTimes.push((performance.now() - epochStarted) / 1000);
      pending.push({
        kind: 'epoch',
        step,
        epoch,
        loss: trainLoss,
        valLoss,
        heads: trainHeads || validation_?.heads ? { ...trainHeads, ...Object.fromEntries(Object.entries(validation_?.heads ?? {}).map(([k, v]) => [`val_${k}`, v])) } : null,
        at: Date.now(),
      });
      flush();
      const better = valLoss !== null && (bestValLoss === null || valLoss < bestValLoss);
      if (better) {
        bestValLoss = valLoss;
        epochsWithoutBetter = 0;
        await checkpoint('best', trainLoss, valLoss);
      } else epochsWithoutBetter++;
      if (epoch % hp.checkpointEvery === 0 || epoch === hp.epochs) await checkpoint('periodic', trainLoss, valLoss);
      saveProgress();
      const meanEpoch = epochTimes.reduce((a, s) => a + s, 0) / epochTimes.length;
      post({
        type: 'train.epoch',
        progress: {
          runId,
          epoch,
          epochs: hp.epochs,
          step,
          loss: trainLoss,
          valLoss,
          heads: trainHeads,
          valHeads: validation_?.heads ?? null,
          seconds: epochTimes.at(-1)!,
          etaSeconds: meanEpoch * (hp.epochs - epoch),
        },
      });
      if (hp.patience > 0 && epochsWithoutBetter >= hp.patience && epoch < hp.epochs) {
        finish('completed', `stopped early: no better validation loss for ${hp.patience} epochs`);
        return;
      }
    }
    finish('completed', null);
  } catch (err) {
    finish('failed', err instanceof Error ? err.message : String(err));
  } finally {
    model?.dispose();
    optimizer?.dispose();
    store.close();
  }
}
