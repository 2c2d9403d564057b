import * as tf from '@tensorflow/tfjs-core';
import type { BigruSpec } from './spec';
import { glorot, orthogonal, seedFor } from '../init';
import { sparseCrossEntropy } from '../layers/cross-entropy';
import { gruLayerTimeMajor } from '../layers/gru';
import { ParamSet } from '../param-set';
import type { Batch, LossResult, TokenGenerator, TokenStepper, TrainableModel } from '../types';

interface Direction {
  kernel: tf.Variable; // [in, 3U]
  bias: tf.Variable; // [3U], input bias
  recurrent: tf.Variable; // [U, 3U]
  recurrentBias: tf.Variable; // [3U]
}

const LEAKY_ALPHA = 0.3; // Keras LeakyReLU's default

/**
 * Seed 002: embedding → bidirectional GRU ×layers (outputs of both directions concatenated) →
 * dense with LeakyReLU → softmax. The last layer gives the final state of each direction, and the
 * model predicts the step that follows the window: many-to-one, as the seed trained (a
 * bidirectional layer sees the whole window, so it cannot predict every next step of it).
 */
export class Bigru implements TrainableModel, TokenGenerator {
  readonly params = new ParamSet();
  private readonly embedding: tf.Variable;
  private readonly layers: [Direction, Direction][] = [];
  private readonly dense: { kernel: tf.Variable; bias: tf.Variable };
  private readonly output: { kernel: tf.Variable; bias: tf.Variable };

  constructor(
    readonly spec: BigruSpec,
    readonly vocabSize: number,
    readonly seed: number,
  ) {
    let k = 0;
    const next = () => seedFor(seed, k++);
    const u = spec.units;
    this.embedding = this.params.add('embedding', tf.randomUniform([vocabSize, spec.embedding], -0.05, 0.05, 'float32', next()));
    let input = spec.embedding;
    for (let l = 0; l < spec.layers; l++) {
      const direction = (name: string): Direction => ({
        kernel: this.params.add(`gru${l}/${name}/kernel`, glorot([input, 3 * u], next())),
        bias: this.params.add(`gru${l}/${name}/bias`, tf.zeros([3 * u])),
        recurrent: this.params.add(`gru${l}/${name}/recurrent`, tf.concat([0, 1, 2].map((g) => orthogonal([u, u], next() + g)), 1)),
        recurrentBias: this.params.add(`gru${l}/${name}/recurrent_bias`, tf.zeros([3 * u])),
      });
      this.layers.push([direction('forward'), direction('backward')]);
      input = 2 * u;
    }
    this.dense = { kernel: this.params.add('dense/kernel', glorot([2 * u, spec.dense], next())), bias: this.params.add('dense/bias', tf.zeros([spec.dense])) };
    this.output = { kernel: this.params.add('output/kernel', glorot([spec.dense, vocabSize], next())), bias: this.params.add('output/bias', tf.zeros([vocabSize])) };
  }

  /** Logits [batch, vocab] for the step after each window. */
  logits(x: Int32Array, batch: number, length: number, training: boolean, step: number): tf.Tensor2D {
    const u = this.spec.units;
    const ids = tf.tensor1d(x, 'int32');
    // Time-major from here: [T, B, E].
    let seq = tf.transpose(tf.reshape(tf.matMul(tf.cast(tf.oneHot(ids, this.vocabSize), 'float32'), this.embedding), [batch, length, this.spec.embedding]), [1, 0, 2]);
    let last: tf.Tensor2D | null = null;
    this.layers.forEach(([fwd, bwd], l) => {
      const forward = gruLayerTimeMajor(seq as tf.Tensor3D, fwd, false);
      const backward = gruLayerTimeMajor(seq as tf.Tensor3D, bwd, true); // in the window's time order
      if (l < this.layers.length - 1) seq = tf.concat([forward, backward], 2);
      else {
        // Each direction's final state: the forward one at the window's end, the backward one at its start.
        const at = (h: tf.Tensor, t: number) => tf.reshape(tf.slice(h, [t, 0, 0], [1, batch, u]), [batch, u]);
        last = tf.concat([at(forward, length - 1), at(backward, 0)], 1) as tf.Tensor2D;
      }
    });
    let hidden = tf.leakyRelu(tf.add(tf.matMul(last!, this.dense.kernel), this.dense.bias), LEAKY_ALPHA);
    if (training && this.spec.dropout > 0) hidden = tf.dropout(hidden, this.spec.dropout, undefined, seedFor(step, 2000));
    return tf.add(tf.matMul(hidden, this.output.kernel), this.output.bias) as tf.Tensor2D;
  }

  loss(batch: Batch, training: boolean, step: number): LossResult {
    if (batch.kind !== 'tokens') throw new Error('the bidirectional GRU learns token windows');
    const logits = this.logits(batch.x, batch.batch, batch.length, training, step);
    // The target is the step after the window: the last next-step target of each row.
    const targets = Int32Array.from({ length: batch.batch }, (_, b) => batch.y[b * batch.length + batch.length - 1]!);
    return { loss: sparseCrossEntropy(logits, targets) };
  }

  /**
   * A bidirectional layer has no state to carry forward: each step re-reads the last `window`
   * tokens, as seed 002 generated (its window was 50 frames).
   */
  stepper(batch: number, window: number): TokenStepper {
    const history: number[][] = Array.from({ length: batch }, () => []);
    return {
      batch,
      step: (tokens) => {
        history.forEach((h, b) => {
          h.push(tokens[b]!);
          if (h.length > window) h.shift();
        });
        const length = history[0]!.length;
        const x = Int32Array.from(history.flat());
        const logits = tf.tidy(() => this.logits(x, batch, length, false, 0));
        const out = logits.dataSync() as Float32Array;
        logits.dispose();
        return out;
      },
      dispose: () => undefined,
    };
  }

  dispose(): void {
    this.params.dispose();
  }
}
