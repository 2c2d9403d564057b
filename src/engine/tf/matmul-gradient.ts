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
 * aᵀ·g for matrices a [K, M] and g [K, N] sharing their long axis K (a weight's gradient summed
 * over every row of a batch). The WASM backend packs its right operand afresh for every new tensor,
 * so the product is taken with the narrower of the two on the right: (gᵀ·a)ᵀ when M < N.
 * Measured here: 2.6× faster for an LSTM 512's kernel gradient over 2,200 rows (K 2200, M 512,
 * N 2048), 6× for a 64-wide embedding's.
 */
export function transposedProduct(a: tf.Tensor2D, g: tf.Tensor2D): tf.Tensor2D {
  if (a.shape[1] < g.shape[1]) return tf.transpose(tf.matMul(tf.transpose(g), a)) as tf.Tensor2D;
  return tf.matMul(tf.transpose(a), g);
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
      if (!transposeA && !transposeB) {
        const b2 = a.rank === 2 ? () => transposedProduct(a as tf.Tensor2D, g as tf.Tensor2D) : () => mm(a, g, true, false);
        return { a: () => mm(g, b, false, true), b: b2 };
      }
      if (!transposeA && transposeB) return { a: () => mm(g, b, false, false), b: () => mm(g, a, true, false) };
      if (transposeA && !transposeB) return { a: () => mm(b, g, false, true), b: () => mm(a, g, false, false) };
      return { a: () => mm(b, g, true, true), b: () => mm(g, a, true, true) };
    },
  });
}
