/**
 * The LSTM recurrence as two TF.js kernels of the WebAssembly backend, one for the forward pass
 * over all timesteps and one for the backward.
 *
 * Built from TF.js ops, a timestep costs ~35 kernel calls at 10–25 µs of bookkeeping each, which
 * is most of a small model's training time (seed 004's 128-unit LSTM: ~1,300 calls a step). Here
 * each timestep is one matrix product, called straight into the backend's XNNPACK matMul on
 * tensors registered in place (no tensor objects, no copies), and one call of the elementwise
 * cell (`kernels.wat`) that reads and writes the backend's memory directly.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { fusedKernelsApply, info, kernelsFor, registerWasmKernel, Scratch, type WasmBackend } from './wasm-module';

export const LSTM_FORWARD = 'EtudeLstmForward';
export const LSTM_BACKWARD = 'EtudeLstmBackward';

/**
 * Forward over every timestep from zero state. Inputs: `xw` [T, B, 4U] (input projections with
 * the bias, gates i, f, g, o), `recurrent` [U, 4U]. Outputs: hidden states [T, B, U], gate
 * activations [T, B, 4U] and cell states [T, B, U] (the last two for the backward pass).
 */
function lstmForward({ inputs, backend: b }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo[] {
  const backend = b as WasmBackend;
  const cells = kernelsFor(backend);
  const { xw, recurrent } = inputs as { xw: tf.TensorInfo; recurrent: tf.TensorInfo };
  const [T, B, G] = xw.shape as [number, number, number];
  const U = G / 4;
  const hidden = backend.makeOutput([T, B, U], 'float32');
  const act = backend.makeOutput([T, B, G], 'float32');
  const cell = backend.makeOutput([T, B, U], 'float32');
  const product = backend.makeOutput([B, G], 'float32');
  const scratch = new Scratch(backend, [1, B, U, 1, U, G]);
  try {
    const [xwAt, hiddenAt, actAt, cellAt, productAt] = [xw, hidden, act, cell, product].map((t) => info(backend, t).memoryOffset) as number[];
    const recurrentId = info(backend, recurrent).id;
    const productId = info(backend, product).id;
    const stateBytes = 4 * B * U;
    const gateBytes = 4 * B * G;
    for (let t = 0; t < T; t++) {
      if (t > 0) {
        const hPrev = scratch.view(hiddenAt! + (t - 1) * stateBytes, B * U);
        backend.wasm._BatchMatMul(hPrev, scratch.shape(0), 3, recurrentId, scratch.shape(1), 3, 0, 0, productId);
      }
      cells.lstmForward(
        xwAt! + t * gateBytes,
        t > 0 ? productAt! : 0,
        t > 0 ? cellAt! + (t - 1) * stateBytes : 0,
        actAt! + t * gateBytes,
        cellAt! + t * stateBytes,
        hiddenAt! + t * stateBytes,
        B,
        U,
      );
    }
  } finally {
    scratch.dispose();
    backend.disposeData(product.dataId);
  }
  return [hidden, act, cell];
}

/**
 * Backward over every timestep. Inputs: `dy` [T, B, U] (gradient of the hidden states), the
 * forward's `act` and `cell`, and `recurrentT` [4U, U] (the recurrent kernel transposed, so the
 * backend's matMul stays on its fast path). Output: the gradient of `xw`, [T, B, 4U].
 */
function lstmBackward({ inputs, backend: b }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const backend = b as WasmBackend;
  const cells = kernelsFor(backend);
  const { dy, act, cell, recurrentT } = inputs as Record<'dy' | 'act' | 'cell' | 'recurrentT', tf.TensorInfo>;
  const [T, B, G] = act.shape as [number, number, number];
  const U = G / 4;
  const dz = backend.makeOutput([T, B, G], 'float32');
  const dc = backend.makeOutput([B, U], 'float32');
  const dhRecurrent = backend.makeOutput([B, U], 'float32');
  const scratch = new Scratch(backend, [1, B, G, 1, G, U]);
  try {
    const [dyAt, actAt, cellAt, dzAt, dcAt, dhAt] = [dy, act, cell, dz, dc, dhRecurrent].map((t) => info(backend, t).memoryOffset) as number[];
    const recurrentTId = info(backend, recurrentT).id;
    const dhId = info(backend, dhRecurrent).id;
    const stateBytes = 4 * B * U;
    const gateBytes = 4 * B * G;
    for (let t = T - 1; t >= 0; t--) {
      cells.lstmBackward(
        dyAt! + t * stateBytes,
        t < T - 1 ? dhAt! : 0,
        dcAt!,
        t === T - 1 ? 1 : 0,
        actAt! + t * gateBytes,
        cellAt! + t * stateBytes,
        t > 0 ? cellAt! + (t - 1) * stateBytes : 0,
        dzAt! + t * gateBytes,
        B,
        U,
      );
      if (t > 0) {
        const dzt = scratch.view(dzAt! + t * gateBytes, B * G);
        backend.wasm._BatchMatMul(dzt, scratch.shape(0), 3, recurrentTId, scratch.shape(1), 3, 0, 0, dhId);
      }
    }
  } finally {
    scratch.dispose();
    backend.disposeData(dc.dataId);
    backend.disposeData(dhRecurrent.dataId);
  }
  return dz;
}

/** Registers both kernels for the 'wasm' backend (idempotent). */
export function registerLstmKernels(): void {
  registerWasmKernel(LSTM_FORWARD, lstmForward);
  registerWasmKernel(LSTM_BACKWARD, lstmBackward);
}

/** Whether the current backend runs these kernels for `units`: the hand-written kernels apply and the four-lane cell divides the units. */
export function lstmKernelsApply(units: number): boolean {
  return units % 4 === 0 && fusedKernelsApply();
}
