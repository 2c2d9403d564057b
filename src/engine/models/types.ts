import type * as tf from '@tensorflow/tfjs-core';
import type { ParamSet } from './param-set';

/** A batch of token windows: inputs and next-step targets, batch-major. */
export interface TokenBatch {
  kind: 'tokens';
  x: Int32Array;
  y: Int32Array;
  batch: number;
  length: number;
}

/** A batch of feature windows (pitch, step, duration a step): inputs and next-step targets, batch-major. */
export interface FeatureBatch {
  kind: 'features';
  x: Float32Array;
  y: Float32Array;
  batch: number;
  length: number;
  width: number;
}

export type Batch = TokenBatch | FeatureBatch;

export interface LossResult {
  loss: tf.Scalar;
  /** Per-head losses for models with several outputs. */
  heads?: Record<string, tf.Scalar>;
}

/** What the trainer needs of any architecture. */
export interface TrainableModel {
  readonly params: ParamSet;
  /** Mean loss over the batch; `step` seeds dropout, so a resumed run draws the same masks. */
  loss(batch: Batch, training: boolean, step: number): LossResult;
  dispose(): void;
}
