/** What the worker's TF runtime holds: the leak check's and the recycling's measure (see workers/protocol.ts). */
import * as tf from '@tensorflow/tfjs-core';
import type { WorkerMemory } from '../workers/protocol';

interface WasmBackendLike {
  wasm?: { HEAPU8?: Uint8Array };
  numDataIds(): number;
}

export function workerMemory(cachedModels: number): WorkerMemory {
  const memory = tf.memory();
  const backend = tf.backend() as unknown as WasmBackendLike;
  const heap = tf.getBackend() === 'wasm' ? (backend.wasm?.HEAPU8?.buffer.byteLength ?? null) : null;
  return {
    numTensors: memory.numTensors,
    numBytes: memory.numBytes,
    dataIds: backend.numDataIds(),
    wasmHeapBytes: heap,
    rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
    cachedModels,
  };
}
