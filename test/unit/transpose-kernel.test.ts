import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/tf/backend';

/** The transposed values worked out by index arithmetic in plain JavaScript. */
function transposeReference(values: ArrayLike<number>, shape: number[], perm: number[]): number[] {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const outShape = perm.map((p) => shape[p]!);
  const outStrides = outShape.map((_, i) => outShape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Array<number>(values.length);
  for (let k = 0; k < values.length; k++) {
    let rest = k;
    const index = strides.map((s) => {
      const v = Math.floor(rest / s);
      rest %= s;
      return v;
    });
    out[perm.reduce((at, p, i) => at + index[p]! * outStrides[i]!, 0)] = values[k]!;
  }
  return out;
}

describe('Transpose on the WebAssembly backend', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  // Matrices with and without whole 4×4 blocks, first-two-axes swaps, and a case left to the stock kernel.
  it.each([
    [[8, 12], [1, 0]],
    [[7, 13], [1, 0]],
    [[1, 9], [1, 0]],
    [[64, 130], [1, 0]],
    [[5, 3, 7], [1, 0, 2]],
    [[4, 6, 1], [1, 0, 2]],
    [[2, 3, 4], [0, 2, 1]],
  ])('%j by %j moves every number where index arithmetic puts it, float and int', (shape, perm) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const floats = tf.tensor(Float32Array.from({ length: size }, (_, k) => k + 0.5), shape, 'float32');
    const ints = tf.tensor(Int32Array.from({ length: size }, (_, k) => -k * 7), shape, 'int32');
    for (const x of [floats, ints]) {
      const y = tf.transpose(x, perm);
      expect(y.shape).toEqual(perm.map((p) => shape[p]));
      expect(y.dtype).toBe(x.dtype);
      expect(Array.from(y.dataSync())).toEqual(transposeReference(x.dataSync(), shape, perm));
    }
  });
});
