import * as tf from '@tensorflow/tfjs-core';

/** Glorot-uniform weights from a seed, as Keras initialises dense and recurrent input kernels. */
export function glorot(shape: [number, number], seed: number): tf.Tensor {
  const limit = Math.sqrt(6 / (shape[0] + shape[1]));
  return tf.randomUniform(shape, -limit, limit, 'float32', seed);
}

/** An orthogonal matrix from a seed (Keras's recurrent kernel default), by QR of a normal matrix. */
export function orthogonal(shape: [number, number], seed: number): tf.Tensor {
  return tf.tidy(() => {
    const [rows, cols] = shape;
    const big = Math.max(rows, cols);
    const normal = tf.randomNormal([big, Math.min(rows, cols)], 0, 1, 'float32', seed) as tf.Tensor2D;
    const [q] = tf.linalg.qr(normal);
    const m = tf.slice(q, [0, 0], [big, Math.min(rows, cols)]);
    return rows >= cols ? tf.slice(m, [0, 0], [rows, cols]) : tf.slice(tf.transpose(m), [0, 0], [rows, cols]);
  });
}

/** Seeds for each tensor of a model, all derived from one. */
export function seedFor(base: number, index: number): number {
  return (Math.imul(base + 1, 2654435761) + index * 40503) >>> 0;
}
