import * as tf from '@tensorflow/tfjs-core';
import { glorot, orthogonal } from './init';
import { lstmLayerTimeMajor } from './layers/lstm';
import type { ParamSet } from './param-set';

/** One LSTM layer's weights: input kernel [in, 4U], recurrent kernel [U, 4U], bias [4U] (forget gate 1). */
export interface LstmWeights {
  kernel: tf.Variable;
  recurrent: tf.Variable;
  bias: tf.Variable;
}

/** Creates `layers` stacked LSTM layers in `params`, initialised as Keras does, seeds from `next`. */
export function createLstmStack(params: ParamSet, input: number, units: number, layers: number, next: () => number): LstmWeights[] {
  const stack: LstmWeights[] = [];
  for (let l = 0; l < layers; l++) {
    stack.push({
      kernel: params.add(`lstm${l}/kernel`, glorot([input, 4 * units], next())),
      recurrent: params.add(`lstm${l}/recurrent`, tf.concat([0, 1, 2, 3].map((g) => orthogonal([units, units], next() + g)), 1)),
      bias: params.add(`lstm${l}/bias`, tf.concat([tf.zeros([units]), tf.ones([units]), tf.zeros([2 * units])])),
    });
    input = units;
  }
  return stack;
}

/** One LSTM layer over batch-major sequences [B, T, D] → [B, T, U] (the models run time-major: see `lstmLayerTimeMajor`). */
export function lstmLayer(seq: tf.Tensor3D, layer: LstmWeights): tf.Tensor3D {
  return tf.transpose(lstmLayerTimeMajor(tf.transpose(seq, [1, 0, 2]), layer.kernel as tf.Tensor2D, layer.recurrent as tf.Tensor2D, layer.bias as tf.Tensor1D), [1, 0, 2]);
}

/** One LSTM layer over time-major sequences [T, B, D] → [T, B, U]. */
export function lstmLayerOver(seq: tf.Tensor3D, layer: LstmWeights): tf.Tensor3D {
  return lstmLayerTimeMajor(seq, layer.kernel as tf.Tensor2D, layer.recurrent as tf.Tensor2D, layer.bias as tf.Tensor1D);
}

/** Reorders rows of `width` numbers from batch-major [B, T, width] to time-major [T, B, width] (a copy). */
export function timeMajor<A extends Float32Array | Int32Array>(values: A, batch: number, length: number, width = 1): A {
  const out = new (values.constructor as { new (n: number): A })(values.length);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < length; t++) out.set(values.subarray((b * length + t) * width, (b * length + t + 1) * width), (t * batch + b) * width);
  }
  return out;
}

/**
 * A stack's state carried forward one timestep at a time, for generation: each layer's input and
 * recurrent kernels joined once, so a step is one matMul (bias included) a layer. Inputs, states
 * and the gate arithmetic of the few rows generated stay as numbers: as tensor ops (concat, add,
 * split, a dozen gate ops) they cost more than the matMul.
 */
export class LstmStackState {
  private readonly fused: tf.Tensor2D[];
  private readonly biases: tf.Tensor1D[];
  private readonly inputs: number[];
  private readonly units: number;
  private readonly h: Float32Array[];
  private readonly c: Float32Array[];

  constructor(
    layers: LstmWeights[],
    readonly batch: number,
  ) {
    this.fused = layers.map((l) => tf.keep(tf.concat([l.kernel, l.recurrent], 0)) as tf.Tensor2D);
    this.biases = layers.map((l) => l.bias as unknown as tf.Tensor1D);
    this.inputs = layers.map((l) => l.kernel.shape[0]!);
    this.units = layers[0]!.recurrent.shape[0]!;
    this.h = layers.map(() => new Float32Array(batch * this.units));
    this.c = layers.map(() => new Float32Array(batch * this.units));
  }

  /** Feeds one input row per sequence ([batch × in] numbers); returns the top layer's output [batch × U] (a copy). */
  step(x: Float32Array): Float32Array {
    const U = this.units;
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    let input = x;
    this.fused.forEach((kernel, l) => {
      const width = this.inputs[l]!;
      const h = this.h[l]!;
      // Each row: this layer's input, then its previous output.
      const joined = new Float32Array(this.batch * (width + U));
      for (let b = 0; b < this.batch; b++) {
        joined.set(input.subarray(b * width, (b + 1) * width), b * (width + U));
        joined.set(h.subarray(b * U, (b + 1) * U), b * (width + U) + width);
      }
      const z = tf.tidy(() => tf.fused.matMul({ a: tf.tensor2d(joined, [this.batch, width + U]), b: kernel, bias: this.biases[l]! }));
      const gates = z.dataSync() as Float32Array;
      z.dispose();
      const c = this.c[l]!;
      for (let b = 0; b < this.batch; b++) {
        const row = b * 4 * U;
        for (let j = 0; j < U; j++) {
          // Keras's gate order: input, forget, candidate, output.
          const k = b * U + j;
          const cell = sigmoid(gates[row + U + j]!) * c[k]! + sigmoid(gates[row + j]!) * Math.tanh(gates[row + 2 * U + j]!);
          c[k] = cell;
          h[k] = sigmoid(gates[row + 3 * U + j]!) * Math.tanh(cell);
        }
      }
      input = h;
    });
    return input.slice();
  }

  dispose(): void {
    tf.dispose(this.fused);
  }
}
