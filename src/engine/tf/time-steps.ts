import * as tf from '@tensorflow/tfjs-core';

/**
 * Splits a time-major float tensor [T, ...] into its T steps. `tf.unstack` goes through the WASM
 * backend's Slice kernel at about 60 ns a number (0.4 s a training step of lstm1x256, half its
 * time); copying the numbers out once and each step back in costs a twentieth of that.
 */
export function timeSteps(x: tf.Tensor): tf.Tensor[] {
  const [steps, ...shape] = x.shape;
  const size = shape.reduce((a, b) => a * b, 1);
  const data = x.dataSync() as Float32Array;
  return Array.from({ length: steps! }, (_, t) => tf.tensor(data.subarray(t * size, (t + 1) * size), shape, 'float32'));
}

function reversedCopy(x: tf.Tensor): tf.Tensor {
  const [steps, ...shape] = x.shape;
  const size = shape.reduce((a, b) => a * b, 1);
  const data = x.dataSync() as Float32Array;
  const out = new Float32Array(data.length);
  for (let t = 0; t < steps!; t++) out.set(data.subarray(t * size, (t + 1) * size), (steps! - 1 - t) * size);
  return tf.tensor(out, x.shape, 'float32');
}

/**
 * A float tensor reversed along its first (time) axis, differentiable. The WASM backend's Reverse
 * kernel took 36 ms a call on seed 002's [50, 64, 384] projections (a quarter of a step); a copy
 * of the steps in reverse order takes well under a millisecond. Its gradient is the same reversal.
 */
export const reverseTime = tf.customGrad(((x: tf.Tensor) => ({ value: reversedCopy(x), gradFunc: (dy: tf.Tensor) => reversedCopy(dy) })) as unknown as Parameters<
  typeof tf.customGrad
>[0]) as <T extends tf.Tensor>(x: T) => T;
