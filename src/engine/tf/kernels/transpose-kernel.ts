/**
 * A faster Transpose for the WebAssembly backend's commonest cases: a matrix (the weight
 * gradients' `transposedProduct`, transposed kernels) and swapping the first two axes of a
 * rank-3 tensor (batch-major ↔ time-major around every recurrent layer). TF.js's own kernel
 * walks the output one number at a time: 8 ms for a [2048, 512] float matrix, five times in each
 * of seed 000's passes. Anything else goes to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { kernelsFor, memoryOf, overrideWasmKernel, type WasmBackend } from './wasm-module';

function sameAs(perm: number[], want: number[]): boolean {
  return perm.length === want.length && perm.every((p, i) => p === want[i]);
}

export function registerFastTranspose(): void {
  overrideWasmKernel(tf.Transpose, (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const perm = (args.attrs as { perm: number[] }).perm;
    // 4-byte numbers only (bool is one byte)
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return null;
    const backend = args.backend as unknown as WasmBackend;
    if (x.shape.length === 2 && sameAs(perm, [1, 0])) {
      const [rows, cols] = x.shape as [number, number];
      const out = backend.makeOutput([cols, rows], x.dtype as 'float32');
      kernelsFor(backend).transpose2d(backend.dataIdMap.get(x.dataId).memoryOffset, backend.dataIdMap.get(out.dataId).memoryOffset, rows, cols);
      return out;
    }
    if (x.shape.length === 3 && sameAs(perm, [1, 0, 2])) {
      // Whole rows of the last axis move as blocks.
      const [a, b, c] = x.shape as [number, number, number];
      const out = backend.makeOutput([b, a, c], x.dtype as 'float32');
      const heap = new Float32Array(memoryOf(backend).buffer);
      const src = backend.dataIdMap.get(x.dataId).memoryOffset / 4;
      const dst = backend.dataIdMap.get(out.dataId).memoryOffset / 4;
      for (let i = 0; i < a; i++) {
        for (let j = 0; j < b; j++) {
          const from = src + (i * b + j) * c;
          heap.copyWithin(dst + (j * a + i) * c, from, from + c);
        }
      }
      return out;
    }
    return null;
  });
}
