/**
 * Softmax cross-entropy against class ids as two kernels of the WebAssembly backend. As TF.js
 * ops (logSoftmax, a one-hot product, sum, mean, and their gradients) the loss is ~20 kernels,
 * three of them exponentials at ~7 ns a number; here the forward is one pass of the SIMD softmax
 * (`kernels.wat`) over the logits and the backward one scaled copy of the probabilities.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { fusedKernelsApply, kernelsFor, memoryOf, registerWasmKernel, type WasmBackend } from './wasm-module';

export const CROSS_ENTROPY = 'EtudeSoftmaxCrossEntropy';
export const CROSS_ENTROPY_GRAD = 'EtudeSoftmaxCrossEntropyGrad';

interface Targets {
  /** One class id per row of the logits; −1 for a row without a target (padding), which weighs nothing. */
  targets: Int32Array;
}

/** Rows that have a target: the mean is over them. */
function counted(targets: Int32Array): number {
  let n = 0;
  for (const t of targets) if (t >= 0) n++;
  return Math.max(1, n);
}

const offsetOf = (backend: WasmBackend, t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset;

/** logits [N, C] → softmax probabilities [N, C] and the mean over rows of −log p(target), a scalar. */
function crossEntropy({ inputs, backend: b, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: unknown }): tf.TensorInfo[] {
  const backend = b as WasmBackend;
  const { logits } = inputs as { logits: tf.TensorInfo };
  const { targets } = attrs as Targets;
  const [rows, cols] = logits.shape as [number, number];
  const probs = backend.makeOutput([rows, cols], 'float32');
  const loss = backend.makeOutput([], 'float32');
  const rowStats = backend.wasm._malloc(8 * rows);
  try {
    const logitsAt = offsetOf(backend, logits);
    kernelsFor(backend).softmaxRows(logitsAt, offsetOf(backend, probs), rowStats, rowStats + 4 * rows, rows, cols);
    const heap = new Float32Array(memoryOf(backend).buffer);
    const [x, max, sum] = [logitsAt / 4, rowStats / 4, rowStats / 4 + rows];
    // −log p(t) = log Σ e^x − x_t = max + log Σ e^(x − max) − x_t, summed in double precision.
    let total = 0;
    for (let r = 0; r < rows; r++) if (targets[r]! >= 0) total += heap[max + r]! + Math.log(heap[sum + r]!) - heap[x + r * cols + targets[r]!]!;
    heap[offsetOf(backend, loss) / 4] = total / counted(targets);
  } finally {
    backend.wasm._free(rowStats);
  }
  return [probs, loss];
}

/** The gradient of that mean with respect to the logits: (probs − onehot(targets)) · dy / N, zero on rows without a target. */
function crossEntropyGrad({ inputs, backend: b, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: unknown }): tf.TensorInfo {
  const backend = b as WasmBackend;
  const { probs, dy } = inputs as { probs: tf.TensorInfo; dy: tf.TensorInfo };
  const { targets } = attrs as Targets;
  const [rows, cols] = probs.shape as [number, number];
  const out = backend.makeOutput([rows, cols], 'float32');
  const outAt = offsetOf(backend, out);
  const factor = new Float32Array(memoryOf(backend).buffer)[offsetOf(backend, dy) / 4]! / counted(targets);
  kernelsFor(backend).scale(offsetOf(backend, probs), outAt, rows * cols, factor);
  const heap = new Float32Array(memoryOf(backend).buffer);
  for (let r = 0; r < rows; r++) {
    if (targets[r]! >= 0) heap[outAt / 4 + r * cols + targets[r]!]! -= factor;
    else heap.fill(0, outAt / 4 + r * cols, outAt / 4 + (r + 1) * cols);
  }
  return out;
}

/** Registers both kernels for the 'wasm' backend (idempotent). */
export function registerCrossEntropyKernels(): void {
  registerWasmKernel(CROSS_ENTROPY, crossEntropy);
  registerWasmKernel(CROSS_ENTROPY_GRAD, crossEntropyGrad);
}

/** Whether the current backend runs these kernels (see `fusedKernelsApply`). */
export function crossEntropyKernelsApply(): boolean {
  return fusedKernelsApply();
}
