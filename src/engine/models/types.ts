import type * as tf from '@tensorflow/tfjs-core';
import type { ParamSet } from './param-set';

/** A target that is not there (a window's padding): the loss ignores its row. */
export const NO_TARGET = -1;

/** A batch of token windows: inputs and next-step targets (NO_TARGET where there is none), batch-major. */
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

/** A batch of binary windows (piano-roll rows), each flattened: [batch, length·width]. */
export interface BinaryBatch {
  kind: 'binary';
  x: Float32Array;
  batch: number;
  length: number;
  width: number;
}

export type Batch = TokenBatch | FeatureBatch | BinaryBatch;

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
  /**
   * For models not trained by gradient descent on `loss` (the RBM's contrastive divergence): the
   * update direction of every variable, in `params` order, applied by the optimizer like a gradient.
   */
  updates?(batch: Batch, step: number): Record<string, tf.Tensor>;
  dispose(): void;
}

/** A model's state carried forward token by token for `batch` parallel sequences (generation). */
export interface TokenStepper {
  readonly batch: number;
  /** Feeds one token per sequence; returns the next token's logits, [batch × vocab] row-major. */
  step(tokens: Int32Array): Float32Array;
  dispose(): void;
}

/** A model that predicts the next token: what generation and audition need of it. */
export interface TokenGenerator {
  readonly vocabSize: number;
  /** `window`: the context a model that re-reads its window sees (the training sequence length). */
  stepper(batch: number, window: number): TokenStepper;
}

export function isTokenGenerator(model: TrainableModel): model is TrainableModel & TokenGenerator {
  return typeof (model as Partial<TokenGenerator>).stepper === 'function';
}

/** A model's state carried forward note by note (pitch, step, duration a note), for generation. */
export interface FeatureStepper {
  readonly batch: number;
  /** One note per sequence, [batch × 3]; returns pitch logits [batch × 128], and step and duration [batch]. */
  step(features: Float32Array): { pitch: Float32Array; step: Float32Array; duration: Float32Array };
  dispose(): void;
}

/** A model that predicts the next note as numbers (seed 004). */
export interface FeatureGenerator {
  featureStepper(batch: number): FeatureStepper;
}

export function isFeatureGenerator(model: TrainableModel): model is TrainableModel & FeatureGenerator {
  return typeof (model as Partial<FeatureGenerator>).featureStepper === 'function';
}

/** A model that samples whole windows of piano-roll rows with the known rows clamped (the RBM). */
export interface RowGenerator {
  /** `context`: [batch, visible] with the first `knownUnits` of each row fixed; returns the sampled windows. */
  continueWindow(context: Float32Array, batch: number, knownUnits: number, steps: number, seed: number): Float32Array;
}

export function isRowGenerator(model: TrainableModel): model is TrainableModel & RowGenerator {
  return typeof (model as Partial<RowGenerator>).continueWindow === 'function';
}
