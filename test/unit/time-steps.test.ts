import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { reverseTime, timeSteps } from '../../src/engine/tf/time-steps';
import { selectBackend } from '../../src/engine/tf/backend';

describe('time-major helpers (copies instead of the WASM Slice and Reverse kernels)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('timeSteps gives exactly what tf.unstack gives', () => {
    const x = tf.randomNormal([5, 3, 4], 0, 1, 'float32', 1);
    const ours = timeSteps(x);
    const stock = tf.unstack(x, 0);
    expect(ours).toHaveLength(5);
    ours.forEach((t, i) => {
      expect(t.shape).toEqual([3, 4]);
      expect(Array.from(t.dataSync())).toEqual(Array.from(stock[i]!.dataSync()));
    });
  });

  it('reverseTime equals tf.reverse on axis 0, and so does its gradient', () => {
    const x = tf.randomNormal([6, 2, 3], 0, 1, 'float32', 2);
    const weights = tf.randomNormal([6, 2, 3], 0, 1, 'float32', 3);
    expect(Array.from(reverseTime(x).dataSync())).toEqual(Array.from(tf.reverse(x, 0).dataSync()));
    const [ours] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.square(reverseTime(a)), weights)))([x]);
    const [stock] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.square(tf.reverse(a, 0)), weights)))([x]);
    expect(tf.norm(stock!).dataSync()[0]).toBeGreaterThan(0);
    expect(Array.from(ours!.dataSync())).toEqual(Array.from(stock!.dataSync()));
  });
});
