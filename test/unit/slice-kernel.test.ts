import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/tf/backend';
import { contiguousSlice } from '../../src/engine/tf/kernels/slice-kernel';

/** The sliced values worked out by index arithmetic in plain JavaScript. */
function sliceReference(values: ArrayLike<number>, shape: number[], begin: number[], size: number[]): number[] {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out: number[] = [];
  const count = size.reduce((a, b) => a * b, 1);
  for (let k = 0; k < count; k++) {
    let rest = k;
    let at = 0;
    for (let i = size.length - 1; i >= 0; i--) {
      at += (begin[i]! + (rest % size[i]!)) * strides[i]!;
      rest = Math.floor(rest / size[i]!);
    }
    out.push(values[at]!);
  }
  return out;
}

describe('Slice on the WebAssembly backend', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('tells contiguous slices (one block copy) from the rest', () => {
    expect(contiguousSlice([5, 4, 3], [1, 0, 0], [3, 4, 3])).toEqual({ start: 12, count: 36 });
    expect(contiguousSlice([5, 4, 3], [2, 1, 0], [1, 2, 3])).toEqual({ start: 27, count: 6 });
    expect(contiguousSlice([5, 4, 3], [0, 0, 0], [5, 4, 3])).toEqual({ start: 0, count: 60 });
    expect(contiguousSlice([5, 4, 3], [0, 1, 0], [2, 2, 3])).toBeNull(); // two blocks with a gap between
    expect(contiguousSlice([5, 4, 3], [0, 0, 1], [5, 4, 1])).toBeNull(); // a column
  });

  // Contiguous slices (rows, a block inside one row, the whole) and strided ones left to the stock kernel; floats and ints.
  it.each([
    [[10, 7], [3, 0], [4, 7], 'float32'],
    [[10, 7], [3, 2], [1, 4], 'int32'],
    [[6, 5, 4], [1, 0, 0], [5, 5, 4], 'float32'],
    [[6, 5, 4], [2, 1, 0], [1, 3, 4], 'float32'],
    [[6, 5, 4], [0, 1, 1], [6, 3, 2], 'float32'],
    [[6, 5, 4], [0, 0, 0], [6, 5, 4], 'int32'],
    [[6, 5, 4], [2, 0, 0], [0, 5, 4], 'float32'],
  ] as const)('shape %j from %j size %j (%s) equals index arithmetic', (shape, begin, size, dtype) => {
    const n = shape.reduce((a: number, b: number) => a * b, 1);
    const values = Array.from({ length: n }, (_, i) => (dtype === 'int32' ? i * 3 - 7 : i * 0.5 - 3.25));
    const x = tf.tensor(values, [...shape], dtype);
    const y = tf.slice(x, [...begin], [...size]);
    expect(y.shape).toEqual([...size]);
    expect(y.dtype).toBe(dtype);
    expect(Array.from(y.dataSync())).toEqual(sliceReference(values, [...shape], [...begin], [...size]));
  });

  it('leaves the source intact and gives an independent copy', () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const y = tf.slice(x, [1, 0], [2, 2]);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([3, 4, 5, 6]);
  });
});
