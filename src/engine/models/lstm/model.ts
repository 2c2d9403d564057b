import * as tf from '@tensorflow/tfjs-core';
import type { LstmSpec } from './spec';
import { glorot, seedFor } from '../init';
import { sparseCrossEntropy } from '../layers/cross-entropy';
import { createLstmStack, lstmLayerOver, LstmStackState, timeMajor, type LstmWeights } from '../lstm-stack';
import { ParamSet } from '../param-set';
import type { Batch, LossResult, TokenGenerator, TokenStepper, TrainableModel } from '../types';

/**
 * Embedding → stacked LSTM → dense → softmax over the vocabulary, predicting every next token of
 * a window. Built from few large ops: the embedding is a one-hot matMul (the WASM backend has no
 * gradient for gather), and each layer projects all timesteps' inputs in one matMul before the
 * recurrence, so each timestep adds one small matMul and the gate arithmetic.
 */
export class TokenLstm implements TrainableModel, TokenGenerator {
  readonly params = new ParamSet();
  /** Null when tokens enter scaled (id ÷ vocabulary size) rather than embedded. */
  private readonly embedding: tf.Variable | null;
  private readonly layers: LstmWeights[];
  private readonly dense: { kernel: tf.Variable; bias: tf.Variable } | null;
  private readonly output: { kernel: tf.Variable; bias: tf.Variable };

  constructor(
    readonly spec: LstmSpec,
    readonly vocabSize: number,
    readonly seed: number,
  ) {
    let k = 0;
    const next = () => seedFor(seed, k++);
    const scaled = spec.input === 'scaled';
    this.embedding = scaled ? null : this.params.add('embedding', tf.randomUniform([vocabSize, spec.embedding], -0.05, 0.05, 'float32', next()));
    const u = spec.units;
    this.layers = createLstmStack(this.params, scaled ? 1 : spec.embedding, u, spec.layers, next);
    this.dense =
      spec.dense > 0
        ? { kernel: this.params.add('dense/kernel', glorot([u, spec.dense], next())), bias: this.params.add('dense/bias', tf.zeros([spec.dense])) }
        : null;
    const head = spec.dense > 0 ? spec.dense : u;
    this.output = { kernel: this.params.add('output/kernel', glorot([head, vocabSize], next())), bias: this.params.add('output/bias', tf.zeros([vocabSize])) };
  }

  /** Logits [batch·length, vocab] for token windows, row b·length + t for token t of window b. */
  logits(x: Int32Array, batch: number, length: number, training: boolean, step: number): tf.Tensor2D {
    const rows = this.timeMajorLogits(timeMajor(x, batch, length), batch, length, training, step);
    return tf.reshape(tf.transpose(tf.reshape(rows, [length, batch, this.vocabSize]), [1, 0, 2]), [batch * length, this.vocabSize]);
  }

  /**
   * Logits for windows given time-major (`x[t·batch + b]`), row t·batch + b. Training stays
   * time-major from the embedding to the loss: the recurrence runs over timesteps, and
   * swapping [B, T, 4U] tensors around every layer cost more than the tokens' reordering.
   */
  private timeMajorLogits(x: Int32Array, batch: number, length: number, training: boolean, step: number): tf.Tensor2D {
    const dropout = training ? this.spec.dropout : 0;
    let k = 0;
    const drop = <T extends tf.Tensor>(t: T): T => (dropout > 0 ? (tf.dropout(t, dropout, undefined, seedFor(step, 1000 + k++)) as T) : t);
    let seq = tf.reshape(this.embed(x), [length, batch, this.embedding ? this.spec.embedding : 1]) as tf.Tensor3D;
    this.layers.forEach((layer) => {
      seq = drop(lstmLayerOver(seq, layer));
    });
    let flat: tf.Tensor2D = tf.reshape(seq, [length * batch, this.spec.units]);
    if (this.dense) flat = drop(tf.relu(tf.add(tf.matMul(flat, this.dense.kernel), this.dense.bias)) as tf.Tensor2D);
    return tf.add(tf.matMul(flat, this.output.kernel), this.output.bias);
  }

  /** Token ids → input rows [n, E] (or [n, 1] scaled). The embedding is a one-hot matMul: the WASM backend has no gradient for gather. */
  private embed(x: Int32Array): tf.Tensor2D {
    if (!this.embedding) return tf.reshape(tf.div(tf.tensor1d(x, 'float32'), this.vocabSize), [x.length, 1]);
    return tf.matMul(tf.cast(tf.oneHot(tf.tensor1d(x, 'int32'), this.vocabSize), 'float32'), this.embedding);
  }

  loss(batch: Batch, training: boolean, step: number): LossResult {
    if (batch.kind !== 'tokens') throw new Error('the token LSTM learns token windows');
    const logits = this.timeMajorLogits(timeMajor(batch.x, batch.batch, batch.length), batch.batch, batch.length, training, step);
    return { loss: sparseCrossEntropy(logits, timeMajor(batch.y, batch.batch, batch.length)) };
  }

  /** Carries each layer's state forward: one step costs one matMul a layer, whatever came before. */
  stepper(batch: number): TokenStepper {
    const state = new LstmStackState(this.layers, batch);
    // Input rows are looked up as numbers: a gather and its tensor cost more than the copy.
    const table = this.embedding ? (this.embedding.dataSync() as Float32Array).slice() : null;
    const width = this.embedding ? this.embedding.shape[1]! : 1;
    return {
      batch,
      step: (tokens) => {
        const rows = new Float32Array(batch * width);
        tokens.forEach((token, b) => {
          if (table) rows.set(table.subarray(token * width, (token + 1) * width), b * width);
          else rows[b] = token / this.vocabSize;
        });
        const top = state.step(rows);
        const logits = tf.tidy(() => {
          let h: tf.Tensor = tf.tensor2d(top, [batch, this.spec.units]);
          if (this.dense) h = tf.fused.matMul({ a: h, b: this.dense.kernel, bias: this.dense.bias, activation: 'relu' });
          return tf.fused.matMul({ a: h, b: this.output.kernel, bias: this.output.bias });
        });
        const out = logits.dataSync() as Float32Array;
        logits.dispose();
        return out;
      },
      dispose: () => state.dispose(),
    };
  }

  dispose(): void {
    this.params.dispose();
  }
}
