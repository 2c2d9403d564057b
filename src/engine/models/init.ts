import * as tf from '@tensorflow/tfjs-core';
import { seededRandom } from '../../shared/random';

/** Glorot-uniform weights from a seed, as Keras initialises dense and recurrent input kernels. */
export function glorot(shape: [number, number], seed: number): tf.Tensor {
  const limit = Math.sqrt(6 / (shape[0] + shape[1]));
  return tf.randomUniform(shape, -limit, limit, 'float32', seed);
}

/** Standard normal numbers from a seed (Box–Muller). */
function normals(count: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  const uniform = () => 1 - random(); // (0, 1]: log() never sees zero
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const th = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(th);
    if (i + 1 < count) out[i + 1] = r * Math.sin(th);
  }
  return out;
}

/**
 * An orthogonal matrix from a seed (Keras's recurrent kernel default): Gram–Schmidt on a normal
 * matrix, in plain JavaScript. TF.js's QR runs as many small ops and took ~35 s for seed 000's
 * twelve 512×512 blocks on the WASM backend; this takes well under a second.
 */
export function orthogonal(shape: [number, number], seed: number): tf.Tensor {
  const [rows, cols] = shape;
  const n = Math.max(rows, cols); // vector length
  const k = Math.min(rows, cols); // vectors
  const v = normals(n * k, seed);
  for (let i = 0; i < k; i++) {
    const vi = v.subarray(i * n, (i + 1) * n);
    // Modified Gram–Schmidt in float64: one pass is orthogonal to ~1e-12 for random normal vectors.
    for (let j = 0; j < i; j++) {
      const vj = v.subarray(j * n, (j + 1) * n);
      let dot = 0;
      for (let x = 0; x < n; x++) dot += vi[x]! * vj[x]!;
      for (let x = 0; x < n; x++) vi[x] = vi[x]! - dot * vj[x]!;
    }
    let norm = 0;
    for (let x = 0; x < n; x++) norm += vi[x]! * vi[x]!;
    norm = Math.sqrt(norm) || 1;
    for (let x = 0; x < n; x++) vi[x] = vi[x]! / norm;
  }
  // k orthonormal vectors of length n: as columns when rows ≥ cols, as rows otherwise.
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = rows >= cols ? v[c * n + r]! : v[r * n + c]!;
  return tf.tensor2d(out, shape);
}

/** Seeds for each tensor of a model, all derived from one. */
export function seedFor(base: number, index: number): number {
  return (Math.imul(base + 1, 2654435761) + index * 40503) >>> 0;
}
