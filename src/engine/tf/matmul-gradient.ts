import * as tf from '@tensorflow/tfjs-core';

/** Swaps the last two axes (a matrix, or each matrix of a batch). */
function transposeLast(x: tf.Tensor): tf.Tensor {
  const perm = [...Array(x.rank).keys()];
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1]!, perm[x.rank - 2]!];
  return tf.transpose(x, perm);
}

function mm(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): tf.Tensor {
  return tf.matMul(transposeA ? transposeLast(a) : a, transposeB ? transposeLast(b) : b);
}

/**
 * The gradient of matMul with explicit transposes. TF.js's own gradient passes transpose flags,
 * and the WASM backend's matMul with a transposed operand leaves its fast path: measured here,
 * 42× slower with transposeA and 12× with transposeB on a [3200, 256] × [3200, 1024] product,
 * which made every dense layer's backward pass dominate training. A transpose copy costs little.
 */
export function registerFastMatMulGradient(): void {
  tf.registerGradient({
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const g = dy as tf.Tensor;
      const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB) return { a: () => mm(g, b, false, true), b: () => mm(a, g, true, false) };
      if (!transposeA && transposeB) return { a: () => mm(g, b, false, false), b: () => mm(g, a, true, false) };
      if (transposeA && !transposeB) return { a: () => mm(b, g, false, true), b: () => mm(a, g, false, false) };
      return { a: () => mm(b, g, true, true), b: () => mm(g, a, true, true) };
    },
  });
}
