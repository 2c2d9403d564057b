import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gruRecurrence } from '../../src/engine/models/layers/gru';
import { selectBackend } from '../../src/engine/tf/backend';

/** Keras's GRU (reset_after) with plain ops, differentiated by TF.js's own tape. */
function reference(xw: tf.Tensor3D, recurrent: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D {
  const [, B, G] = xw.shape;
  const U = G / 3;
  let h: tf.Tensor2D = tf.zeros([B, U]);
  const out: tf.Tensor2D[] = [];
  for (const x of tf.unstack(xw, 0) as tf.Tensor2D[]) {
    const [xz, xr, xh] = tf.split(x, 3, 1);
    const [uz, ur, uh] = tf.split(tf.add(tf.matMul(h, recurrent), bias), 3, 1);
    const z = tf.sigmoid(tf.add(xz!, uz!));
    const r = tf.sigmoid(tf.add(xr!, ur!));
    const n = tf.tanh(tf.add(xh!, tf.mul(r, uh!)));
    h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), n)) as tf.Tensor2D;
    out.push(h);
  }
  return tf.stack(out, 0) as tf.Tensor3D;
}

const relativeError = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.norm(tf.sub(a, b)).dataSync()[0]! / Math.max(1e-12, tf.norm(b).dataSync()[0]!));

describe('fused GRU recurrence', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('matches the plain-op GRU in its outputs and all three gradients (relative error under 1e-4)', () => {
    const [T, B, U] = [6, 3, 4];
    const xw = tf.randomNormal([T, B, 3 * U], 0, 1, 'float32', 21) as tf.Tensor3D;
    const recurrent = tf.randomNormal([U, 3 * U], 0, 0.5, 'float32', 22) as tf.Tensor2D;
    const bias = tf.randomNormal([3 * U], 0, 0.5, 'float32', 23) as tf.Tensor1D;
    const weights = tf.randomNormal([T, B, U], 0, 1, 'float32', 24);
    const lossOf = (f: (a: tf.Tensor3D, b: tf.Tensor2D, c: tf.Tensor1D) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.mul(f(a as tf.Tensor3D, b as tf.Tensor2D, c as tf.Tensor1D), weights));
    const fused = tf.grads(lossOf((a, b, c) => gruRecurrence(a, b, c)))([xw, recurrent, bias]);
    const plain = tf.grads(lossOf(reference))([xw, recurrent, bias]);
    expect(relativeError(gruRecurrence(xw, recurrent, bias), reference(xw, recurrent, bias))).toBeLessThan(1e-6);
    for (let i = 0; i < 3; i++) expect(relativeError(fused[i]!, plain[i]!), `gradient ${i}`).toBeLessThan(1e-4);
  });
});
