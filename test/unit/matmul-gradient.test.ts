import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/tf/backend';
import { transposedProduct } from '../../src/engine/tf/matmul-gradient';

/** Gradients of matMul worked out by hand, for every combination of transpose flags. */
describe('matMul gradient with explicit transposes', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each([
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ])('transposeA=%s transposeB=%s gives dA = dY·Bᵀ and dB = Aᵀ·dY on the untransposed operands', (ta, tb) => {
    const A = tf.randomNormal([4, 3], 0, 1, 'float32', 1);
    const B = tf.randomNormal([3, 5], 0, 1, 'float32', 2);
    const W = tf.randomNormal([4, 5], 0, 1, 'float32', 3);
    const a = ta ? tf.transpose(A) : A;
    const b = tb ? tf.transpose(B) : B;
    const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, ta, tb), W)))([a, b]);
    // For Y = A·B and loss Σ W∘Y: dA = W·Bᵀ, dB = Aᵀ·W (then transposed back where the input was).
    const dA = tf.matMul(W, tf.transpose(B));
    const dB = tf.matMul(tf.transpose(A), W);
    const close = (x: tf.Tensor, y: tf.Tensor) => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0]!;
    expect(close(da!, ta ? tf.transpose(dA) : dA)).toBeLessThan(1e-5);
    expect(close(db!, tb ? tf.transpose(dB) : dB)).toBeLessThan(1e-5);
  });

  it('also for batched matMul', () => {
    const a = tf.randomNormal([2, 4, 3], 0, 1, 'float32', 4);
    const b = tf.randomNormal([2, 3, 5], 0, 1, 'float32', 5);
    const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y)))([a, b]);
    const ones = tf.ones([2, 4, 5]);
    expect(tf.max(tf.abs(tf.sub(da!, tf.matMul(ones, tf.transpose(b, [0, 2, 1]))))).dataSync()[0]).toBeLessThan(1e-5);
    expect(tf.max(tf.abs(tf.sub(db!, tf.matMul(tf.transpose(a, [0, 2, 1]), ones)))).dataSync()[0]).toBeLessThan(1e-5);
  });

  it.each([
    ['narrower left operand', 6, 2, 7],
    ['narrower right operand', 6, 7, 2],
    ['equal widths', 5, 3, 3],
  ])('aᵀ·g over a shared long axis, %s, equals the plain product', (_label, k, m, n) => {
    const a = tf.randomNormal([k, m], 0, 1, 'float32', 6) as tf.Tensor2D;
    const g = tf.randomNormal([k, n], 0, 1, 'float32', 7) as tf.Tensor2D;
    const got = transposedProduct(a, g);
    expect(got.shape).toEqual([m, n]);
    const [av, gv, out] = [a.dataSync(), g.dataSync(), got.dataSync()];
    let worst = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let r = 0; r < k; r++) sum += av[r * m + i]! * gv[r * n + j]!;
        worst = Math.max(worst, Math.abs(out[i * n + j]! - sum));
      }
    }
    expect(worst).toBeLessThan(1e-5);
  });
});
