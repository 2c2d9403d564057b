import * as tf from '@tensorflow/tfjs-core';
import type { RbmSpec } from './spec';
import { seedFor } from '../init';
import { ParamSet } from '../param-set';
import type { Batch, LossResult, RowGenerator, TrainableModel } from '../types';

/**
 * Seed 001: a Bernoulli restricted Boltzmann machine over windows of the note-state matrix
 * (`length` rows of play/articulate bits, flattened). Trained with contrastive divergence: the
 * updates are ⟨v hᵀ⟩ under the data minus under k Gibbs steps, which the trainer hands to the
 * optimizer as (negated) gradients — plain SGD at 0.005 reproduces the seed. Its `loss` is the
 * mean squared reconstruction error after one Gibbs step, the usual way to watch an RBM learn.
 */
export class Rbm implements TrainableModel, RowGenerator {
  readonly params = new ParamSet();
  readonly weights: tf.Variable;
  readonly visibleBias: tf.Variable;
  readonly hiddenBias: tf.Variable;

  constructor(
    readonly spec: RbmSpec,
    readonly visible: number,
    readonly seed: number,
  ) {
    this.weights = this.params.add('weights', tf.randomNormal([visible, spec.hidden], 0, 0.01, 'float32', seedFor(seed, 0)));
    this.visibleBias = this.params.add('visible_bias', tf.zeros([visible]));
    this.hiddenBias = this.params.add('hidden_bias', tf.zeros([spec.hidden]));
  }

  private visibleOf(batch: Batch): tf.Tensor2D {
    if (batch.kind !== 'binary') throw new Error('the RBM learns piano-roll windows');
    if (batch.length * batch.width !== this.visible) throw new Error(`the RBM has ${this.visible} visible units; a window holds ${batch.length * batch.width}`);
    return tf.tensor2d(batch.x, [batch.batch, this.visible]);
  }

  hiddenProbabilities(v: tf.Tensor2D): tf.Tensor2D {
    return tf.sigmoid(tf.add(tf.matMul(v, this.weights), this.hiddenBias)) as tf.Tensor2D;
  }

  visibleProbabilities(h: tf.Tensor2D): tf.Tensor2D {
    return tf.sigmoid(tf.add(tf.matMul(h, tf.transpose(this.weights)), this.visibleBias)) as tf.Tensor2D;
  }

  /** Bernoulli samples of probabilities, seeded. */
  static sample(p: tf.Tensor2D, seed: number): tf.Tensor2D {
    return tf.cast(tf.less(tf.randomUniform(p.shape, 0, 1, 'float32', seed), p), 'float32') as tf.Tensor2D;
  }

  loss(batch: Batch): LossResult {
    const v = this.visibleOf(batch);
    const reconstruction = this.visibleProbabilities(this.hiddenProbabilities(v));
    return { loss: tf.mean(tf.square(tf.sub(v, reconstruction))) as tf.Scalar };
  }

  updates(batch: Batch, step: number): Record<string, tf.Tensor> {
    const v0 = this.visibleOf(batch);
    const h0 = this.hiddenProbabilities(v0);
    let hk = h0;
    let vk: tf.Tensor2D = v0;
    for (let k = 0; k < this.spec.cdK; k++) {
      vk = this.visibleProbabilities(Rbm.sample(hk, seedFor(step, 3000 + 2 * k)));
      hk = this.hiddenProbabilities(vk);
    }
    const n = batch.batch;
    // Gradient of the negative log-likelihood, approximately: model statistics minus data statistics.
    const dW = tf.div(tf.sub(tf.matMul(tf.transpose(vk), hk), tf.matMul(tf.transpose(v0), h0)), n);
    const dVisible = tf.mean(tf.sub(vk, v0), 0);
    const dHidden = tf.mean(tf.sub(hk, h0), 0);
    const names = this.params.entries.map((e) => e.variable.name);
    return { [names[0]!]: dW, [names[1]!]: dVisible, [names[2]!]: dHidden };
  }

  /**
   * Generation by block Gibbs sampling with the known rows clamped: `context` holds the window's
   * first `known` rows for every sequence ([batch, visible], the rest ignored); after `steps`
   * rounds the free rows are a sample of what the model thinks follows. Seed 001 sampled whole
   * windows from noise; clamping the earlier rows makes the RBM continue a passage.
   */
  continueWindow(context: Float32Array, batch: number, knownUnits: number, steps: number, seed: number): Float32Array {
    return tf.tidy(() => {
      const clamp = tf.tensor2d(context, [batch, this.visible]);
      const mask = tf.concat([tf.ones([1, knownUnits]), tf.zeros([1, this.visible - knownUnits])], 1);
      const keepClamped = (v: tf.Tensor2D) => tf.add(tf.mul(clamp, mask), tf.mul(v, tf.sub(1, mask))) as tf.Tensor2D;
      let v = keepClamped(Rbm.sample(tf.fill([batch, this.visible], 0.5) as tf.Tensor2D, seedFor(seed, 0)));
      for (let k = 0; k < steps; k++) {
        const h = Rbm.sample(this.hiddenProbabilities(v), seedFor(seed, 1 + 2 * k));
        v = keepClamped(Rbm.sample(this.visibleProbabilities(h), seedFor(seed, 2 + 2 * k)));
      }
      return v.dataSync() as Float32Array;
    });
  }

  dispose(): void {
    this.params.dispose();
  }
}
