import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparams } from '../../../shared/training';
import type { PsdLstmSpec } from './spec';
import { glorot, seedFor } from '../init';
import { sparseCrossEntropy } from '../layers/cross-entropy';
import { createLstmStack, lstmLayerOver, LstmStackState, timeMajor, type LstmWeights } from '../lstm-stack';
import { ParamSet } from '../param-set';
import type { Batch, FeatureGenerator, FeatureStepper, LossResult, TrainableModel } from '../types';

const PITCHES = 128;
/** The tutorial's positive pressure: predictions below zero cost ten times their size. */
const POSITIVE_PRESSURE = 10;

function mseWithPositivePressure(target: tf.Tensor, predicted: tf.Tensor): tf.Scalar {
  return tf.add(tf.mean(tf.square(tf.sub(target, predicted))), tf.mul(POSITIVE_PRESSURE, tf.mean(tf.relu(tf.neg(predicted))))) as tf.Scalar;
}

/**
 * Seed 004, the TensorFlow tutorial's model: notes as (pitch, step, duration), pitch scaled by
 * 1/128 on the way in, an LSTM (the fused recurrence), and three heads — 128 pitch logits
 * (cross-entropy), step and duration (mean squared error with positive pressure) — weighted
 * 0.05 / 1 / 1 by default. Predicts the next note at every position of a window.
 */
export class PsdLstm implements TrainableModel, FeatureGenerator {
  readonly params = new ParamSet();
  private readonly layers: LstmWeights[];
  private readonly heads: Record<'pitch' | 'step' | 'duration', { kernel: tf.Variable; bias: tf.Variable }>;

  constructor(
    readonly spec: PsdLstmSpec,
    readonly seed: number,
    readonly lossWeights: Hyperparams['lossWeights'] = { pitch: 0.05, step: 1, duration: 1 },
  ) {
    let k = 0;
    const next = () => seedFor(seed, k++);
    const u = spec.units;
    this.layers = createLstmStack(this.params, 3, u, spec.layers, next);
    const head = (name: string, width: number) => ({
      kernel: this.params.add(`${name}/kernel`, glorot([u, width], next())),
      bias: this.params.add(`${name}/bias`, tf.zeros([width])),
    });
    this.heads = { pitch: head('pitch', PITCHES), step: head('step', 1), duration: head('duration', 1) };
  }

  /** Outputs at every position of windows [B, T, 3]: pitch logits [B·T, 128], step and duration [B·T, 1], row b·length + t. */
  outputs(x: Float32Array, batch: number, length: number): { pitch: tf.Tensor2D; step: tf.Tensor2D; duration: tf.Tensor2D } {
    const rows = this.timeMajorOutputs(timeMajor(x, batch, length, 3), batch, length);
    const batchMajor = (t: tf.Tensor2D) => tf.reshape(tf.transpose(tf.reshape(t, [length, batch, -1]), [1, 0, 2]), [batch * length, -1]) as tf.Tensor2D;
    return { pitch: batchMajor(rows.pitch), step: batchMajor(rows.step), duration: batchMajor(rows.duration) };
  }

  /** The same for windows given time-major (`x[(t·batch + b)·3 + feature]`), row t·batch + b: the recurrence runs time-major. */
  private timeMajorOutputs(x: Float32Array, batch: number, length: number): { pitch: tf.Tensor2D; step: tf.Tensor2D; duration: tf.Tensor2D } {
    const u = this.spec.units;
    let seq = tf.mul(tf.tensor3d(x, [length, batch, 3]), tf.tensor1d([1 / PITCHES, 1, 1])) as tf.Tensor3D;
    for (const layer of this.layers) seq = lstmLayerOver(seq, layer);
    const flat = tf.reshape(seq, [length * batch, u]);
    // The three heads as one product: XNNPACK spends as long on a one-column product as on the
    // 128-column one (measured 1.1 ms each for step and duration alone).
    const { pitch, step, duration } = this.heads;
    const all = tf.add(tf.matMul(flat, tf.concat([pitch.kernel, step.kernel, duration.kernel], 1)), tf.concat([pitch.bias, step.bias, duration.bias]));
    const [p, s, d] = tf.split(all, [PITCHES, 1, 1], 1) as tf.Tensor2D[];
    return { pitch: p!, step: s!, duration: d! };
  }

  loss(batch: Batch): LossResult {
    if (batch.kind !== 'features') throw new Error('the pitch/step/duration model learns feature windows');
    // Time-major, as the recurrence runs (the loss is a mean over every position either way).
    const { pitch, step, duration } = this.timeMajorOutputs(timeMajor(batch.x, batch.batch, batch.length, 3), batch.batch, batch.length);
    const y = timeMajor(batch.y, batch.batch, batch.length, 3);
    const target = tf.tensor2d(y, [batch.batch * batch.length, 3]);
    const [, tStep, tDuration] = tf.split(target, 3, 1);
    const pitchLoss = sparseCrossEntropy(pitch, Int32Array.from({ length: batch.batch * batch.length }, (_, r) => Math.trunc(y[r * 3]!)));
    const stepLoss = mseWithPositivePressure(tStep!, step);
    const durationLoss = mseWithPositivePressure(tDuration!, duration);
    const w = this.lossWeights;
    const loss = tf.addN([tf.mul(w.pitch, pitchLoss), tf.mul(w.step, stepLoss), tf.mul(w.duration, durationLoss)]) as tf.Scalar;
    return { loss, heads: { pitch: pitchLoss, step: stepLoss, duration: durationLoss } };
  }

  /** Generation: feeds one note (pitch, step, duration) per sequence, carrying the LSTM state forward. */
  featureStepper(batch: number): FeatureStepper {
    const state = new LstmStackState(this.layers, batch);
    return {
      batch,
      step: (features) => {
        // Pitch enters scaled to 0..1, as in training.
        const input = features.map((v, i) => (i % 3 === 0 ? v / PITCHES : v));
        const top = state.step(input);
        const outs = tf.tidy(() => {
          const h = tf.tensor2d(top, [batch, this.spec.units]);
          return [this.heads.pitch, this.heads.step, this.heads.duration].map((head) => tf.fused.matMul({ a: h, b: head.kernel, bias: head.bias }));
        });
        const [pitch, step, duration] = outs.map((t) => t.dataSync() as Float32Array);
        tf.dispose(outs);
        return { pitch: pitch!, step: step!, duration: duration! };
      },
      dispose: () => state.dispose(),
    };
  }

  dispose(): void {
    this.params.dispose();
  }
}
