import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gruLayerTimeMajor, gruRecurrence } from '../../src/engine/models/layers/gru';
import { gruKernelsApply } from '../../src/engine/tf/kernels/gru-kernels';
import { withFusedKernels } from '../helpers/fused-kernels';
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

  // tf.layers' GRU cannot compute Keras's default (reset_after: it throws), so the fused layer is
  // checked against the op path above (`ETUDE_FUSED_KERNELS=0`), itself checked against plain ops.
  it.each([
    [7, 3, 5, 8, false],
    [7, 3, 5, 8, true],
    [1, 4, 6, 8, true],
    [50, 16, 100, 128, false],
    [50, 16, 100, 128, true],
  ])('T=%i B=%i D=%i U=%i reverse=%s: the fused layer matches the TF.js-op layer in outputs and all five gradients', (T, B, D, U, reverse) => {
    const x = tf.randomNormal([T, B, D], 0, 1, 'float32', 61) as tf.Tensor3D;
    const w = {
      kernel: tf.variable(tf.randomNormal([D, 3 * U], 0, 0.3, 'float32', 62)),
      bias: tf.variable(tf.randomNormal([3 * U], 0, 0.3, 'float32', 63)),
      recurrent: tf.variable(tf.randomNormal([U, 3 * U], 0, 0.3, 'float32', 64)),
      recurrentBias: tf.variable(tf.randomNormal([3 * U], 0, 0.3, 'float32', 65)),
    };
    const weights = tf.randomNormal([T, B, U], 0, 1, 'float32', 66);
    const run = (kernels: boolean) =>
      withFusedKernels(kernels, () => {
        const input = tf.variable(x);
        const variables = [input, w.kernel, w.bias, w.recurrent, w.recurrentBias];
        const output = gruLayerTimeMajor(input, w, reverse);
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(gruLayerTimeMajor(input, w, reverse), weights)), variables);
        const ordered = variables.map((v) => grads[v.name]!);
        input.dispose();
        return [output, ...ordered];
      });
    expect(gruKernelsApply(U)).toBe(true);
    const fused = run(true);
    const ops = run(false);
    ['output', 'input', 'kernel', 'bias', 'recurrent kernel', 'recurrent bias'].forEach((name, i) => {
      if (name === 'recurrent kernel' && T === 1) expect(tf.max(tf.abs(fused[i]!)).dataSync()[0], name).toBe(0);
      else expect(tf.norm(ops[i]!).dataSync()[0], name).toBeGreaterThan(0);
      expect(relativeError(fused[i]!, ops[i]!), name).toBeLessThan(name === 'output' ? 1e-5 : 1e-4);
    });
  });

  it('runs the reversed direction over the window backwards: its state at t = 0 has read every timestep', () => {
    const [T, B, D, U] = [5, 2, 3, 8];
    const x = tf.randomNormal([T, B, D], 0, 1, 'float32', 71) as tf.Tensor3D;
    const w = {
      kernel: tf.randomNormal([D, 3 * U], 0, 0.5, 'float32', 72),
      bias: tf.zeros([3 * U]),
      recurrent: tf.randomNormal([U, 3 * U], 0, 0.5, 'float32', 73),
      recurrentBias: tf.zeros([3 * U]),
    };
    const reversed = gruLayerTimeMajor(x, w, true);
    // The same as the forward direction over the time-reversed window, read back in window order.
    const flipped = tf.reverse(gruLayerTimeMajor(tf.reverse(x, 0), w, false), 0);
    expect(relativeError(reversed, flipped)).toBeLessThan(1e-6);
    // The state at the window's last step has read only that step: changing the first input leaves it alone.
    const changed = tf.concat([tf.add(tf.slice(x, [0, 0, 0], [1, B, D]), 1), tf.slice(x, [1, 0, 0], [T - 1, B, D])], 0) as tf.Tensor3D;
    const again = gruLayerTimeMajor(changed, w, true);
    expect(relativeError(tf.slice(again, [T - 1, 0, 0], [1, B, U]), tf.slice(reversed, [T - 1, 0, 0], [1, B, U]))).toBe(0);
    expect(relativeError(tf.slice(again, [0, 0, 0], [1, B, U]), tf.slice(reversed, [0, 0, 0], [1, B, U]))).toBeGreaterThan(1e-3);
  });
});
