/** The learning rate over a run (warm-up, then a cosine decay) and decoupled weight decay. */
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparams } from '../../../shared/training';
import type { TrainableModel } from '../../models/types';

/** Where the cosine decay ends, as a share of the peak learning rate. */
const FLOOR = 0.05;

/** The learning rate of step `step` (0-based) of a run planned for `planned` steps. */
export function learningRateAt(hp: Pick<Hyperparams, 'learningRate' | 'schedule' | 'warmup'>, step: number, planned: number): number {
  const warm = Math.max(1, Math.round(hp.warmup * planned));
  const rise = hp.warmup > 0 ? Math.min(1, (step + 1) / warm) : 1;
  if (hp.schedule === 'constant') return hp.learningRate * rise;
  const progress = Math.min(1, Math.max(0, (step - (hp.warmup > 0 ? warm : 0)) / Math.max(1, planned - (hp.warmup > 0 ? warm : 0))));
  return hp.learningRate * rise * (FLOOR + (1 - FLOOR) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/**
 * Sets an optimizer's learning rate for its next step. TF.js's optimizers read the rate from a
 * field on every step (SGD has a setter; Adam and RMSprop keep it as a plain field).
 */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (rate: number) => void };
  if (optimizer.getClassName() === 'SGD' && typeof o.setLearningRate === 'function') o.setLearningRate(rate);
  else o.learningRate = rate;
}

/** Weight decay decoupled from the gradient (AdamW): matrices shrink by lr·decay a step; biases, gains and embeddings stay. */
export function decayWeights(model: TrainableModel, rate: number, decay: number): void {
  if (decay <= 0) return;
  const keep = 1 - rate * decay;
  tf.tidy(() => {
    for (const { name, variable } of model.params.entries) {
      if (variable.rank < 2 || /bias|gain|embedding|positions/.test(name)) continue;
      variable.assign(tf.mul(variable, keep));
    }
  });
}
