import * as tf from '@tensorflow/tfjs-core';
import { lstmLayerTimeMajor } from '../../src/engine/models/layers/lstm';

/** The LSTM recurrence written with plain ops, differentiated by TF.js's own tape. */
export function plainLstm(xw: tf.Tensor3D, recurrent: tf.Tensor2D): tf.Tensor3D {
  const [, B, G] = xw.shape;
  const U = G / 4;
  let h: tf.Tensor2D = tf.zeros([B, U]);
  let c: tf.Tensor2D = tf.zeros([B, U]);
  const out: tf.Tensor2D[] = [];
  for (const x of tf.unstack(xw, 0) as tf.Tensor2D[]) {
    const [i, f, g, o] = tf.split(tf.add(x, tf.matMul(h, recurrent)), 4, 1);
    c = tf.add(tf.mul(tf.sigmoid(f!), c), tf.mul(tf.sigmoid(i!), tf.tanh(g!)));
    h = tf.mul(tf.sigmoid(o!), tf.tanh(c));
    out.push(h);
  }
  return tf.stack(out, 0) as tf.Tensor3D;
}

/**
 * The studio's LSTM recurrence alone: its layer with an identity input kernel and no bias, so the
 * input projections are `xw` exactly (and their gradient is the layer's input gradient). Takes
 * the fused kernels where they apply, the TF.js-op recurrence elsewhere.
 */
export function studioRecurrence(xw: tf.Tensor3D, recurrent: tf.Tensor2D): tf.Tensor3D {
  const G = xw.shape[2];
  return lstmLayerTimeMajor(xw, tf.eye(G) as tf.Tensor2D, recurrent, tf.zeros([G]) as tf.Tensor1D);
}

export function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.norm(tf.sub(a, b)).dataSync()[0]! / Math.max(1e-12, tf.norm(b).dataSync()[0]!));
}

/**
 * `studioRecurrence` against the plain-op LSTM on random inputs of the given shape (weights at a
 * trained network's scale): relative errors of the outputs and of both gradients.
 */
export function recurrenceErrors(T: number, B: number, U: number, seed = 11): { output: number; dInput: number; dRecurrent: number; dRecurrentNorm: number } {
  return tf.tidy(() => {
    const xw = tf.randomNormal([T, B, 4 * U], 0, 1, 'float32', seed) as tf.Tensor3D;
    const recurrent = tf.randomNormal([U, 4 * U], 0, 1 / Math.sqrt(U), 'float32', seed + 1) as tf.Tensor2D;
    // A loss that weighs every output differently, so every gradient path matters.
    const weights = tf.randomNormal([T, B, U], 0, 1, 'float32', seed + 2);
    const lossOf = (f: (a: tf.Tensor3D, b: tf.Tensor2D) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor3D, b as tf.Tensor2D), weights));
    const ours = tf.grads(lossOf(studioRecurrence))([xw, recurrent]);
    const plain = tf.grads(lossOf(plainLstm))([xw, recurrent]);
    return {
      output: relativeError(studioRecurrence(xw, recurrent), plainLstm(xw, recurrent)),
      dInput: relativeError(ours[0]!, plain[0]!),
      dRecurrent: relativeError(ours[1]!, plain[1]!),
      dRecurrentNorm: tf.norm(ours[1]!).dataSync()[0]!,
    };
  });
}
