import * as tf from '@tensorflow/tfjs-core';
import { glorot, orthogonal } from './init';
import { lstmRecurrence } from './layers/lstm';
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

/**
 * One LSTM layer over batch-major sequences [B, T, D] → [B, T, U]: every timestep's input
 * projection in one matMul, then the fused recurrence (time-major).
 */
export function lstmLayer(seq: tf.Tensor3D, layer: LstmWeights): tf.Tensor3D {
  const [b, t, d] = seq.shape;
  const gates = layer.bias.shape[0]!;
  const projected = tf.reshape(tf.add(tf.matMul(tf.reshape(seq, [b * t, d]), layer.kernel), layer.bias), [b, t, gates]);
  return tf.transpose(lstmRecurrence(tf.transpose(projected, [1, 0, 2]), layer.recurrent), [1, 0, 2]) as tf.Tensor3D;
}
