/** One optimizer step on one batch, and the optimizers a run can use. The benchmark times this same code. */
import * as tf from '@tensorflow/tfjs-core';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Hyperparams } from '../../../shared/training';
import type { Batch, TrainableModel } from '../../models/types';
import { FusedAdam } from './fused-adam';

/** Rows [from, from+n) of a batch, as a batch of its own. */
export function sliceBatch(batch: Batch, from: number, n: number): Batch {
  const per = batch.length * (batch.kind === 'tokens' ? 1 : batch.width);
  const cut = <A extends Int32Array | Float32Array>(a: A): A => a.subarray(from * per, (from + n) * per) as A;
  if (batch.kind === 'tokens') return { ...batch, x: cut(batch.x), y: cut(batch.y), batch: n };
  if (batch.kind === 'features') return { ...batch, x: cut(batch.x), y: cut(batch.y), batch: n };
  return { ...batch, x: cut(batch.x), batch: n };
}

export function makeOptimizer(hp: Pick<Hyperparams, 'optimizer' | 'learningRate'>): tf.Optimizer {
  // RMSprop as Keras configures it (rho 0.9, epsilon 1e-7), which seed 000 trained with.
  if (hp.optimizer === 'sgd') return tf.train.sgd(hp.learningRate);
  return hp.optimizer === 'rmsprop' ? tf.train.rmsprop(hp.learningRate, 0.9, 0, 1e-7) : new FusedAdam(hp.learningRate, 0.9, 0.999);
}

type Grads = Record<string, tf.Tensor>;

/** grads += partial · weight, disposing what is replaced. */
function accumulate(grads: Grads, partial: Grads, weight: number): void {
  for (const [name, g] of Object.entries(partial)) {
    const scaled = tf.mul(g, weight);
    const before = grads[name];
    grads[name] = before ? tf.add(before, scaled) : scaled;
    if (before) {
      before.dispose();
      scaled.dispose();
    }
    g.dispose();
  }
}

/** Scales gradients down to a global norm of `clipNorm` when they exceed it. */
function clipToNorm(grads: Grads, clipNorm: number): void {
  const norm = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))).dataSync()[0]!);
  if (norm <= clipNorm) return;
  for (const k of Object.keys(grads)) {
    const clipped = tf.mul(grads[k]!, clipNorm / norm);
    grads[k]!.dispose();
    grads[k] = clipped;
  }
}

/** The model's loss and gradients on rows of a batch; per-head losses read after the tape. */
async function gradientPass(model: TrainableModel, part: Batch, seed: number): Promise<{ loss: number; heads: Record<string, number> | null; grads: Grads }> {
  let kept: Record<string, tf.Scalar> | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const result = model.loss(part, true, seed);
    if (result.heads) kept = Object.fromEntries(Object.entries(result.heads).map(([k, t]) => [k, tf.keep(t)]));
    return result.loss;
  }, model.params.variables);
  const loss = (await value.data())[0]!;
  value.dispose();
  const heads = kept as Record<string, tf.Scalar> | null;
  const headValues = heads ? Object.fromEntries(Object.entries(heads).map(([k, t]) => [k, t.dataSync()[0]!])) : null;
  if (heads) tf.dispose(Object.values(heads));
  return { loss, heads: headValues, grads };
}

/**
 * One optimizer step on one batch: loss, gradients (clipped to `clipNorm` when set), update.
 * A batch larger than `rowsPerPass` is taken in passes whose gradients are summed, weighted by
 * their share of the rows, before the one update: the same step in bounded memory.
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
  const grads: Grads = {};
  let loss = 0;
  let headSums: Record<string, number> | null = null;
  for (let p = 0; p < passes; p++) {
    const from = p * rowsPerPass;
    const rows = Math.min(rowsPerPass, batch.batch - from);
    const weight = rows / batch.batch;
    // A pass's dropout masks are seeded by the step and the pass, so a resumed run draws the same.
    const pass = await gradientPass(model, passes === 1 ? batch : sliceBatch(batch, from, rows), passes === 1 ? dropoutSeed : dropoutSeed * 31 + p);
    loss += pass.loss * weight;
    if (passes === 1) Object.assign(grads, pass.grads);
    else accumulate(grads, pass.grads, weight);
    if (pass.heads) {
      headSums ??= {};
      for (const [k, v] of Object.entries(pass.heads)) headSums[k] = (headSums[k] ?? 0) + v * weight;
    }
    if (p + 1 < passes) await yieldToLoop(); // let control messages in between passes of a long step
  }
  if (clipNorm > 0) clipToNorm(grads, clipNorm);
  optimizer.applyGradients(grads);
  tf.dispose(Object.values(grads));
  return { loss, heads: headSums };
}
