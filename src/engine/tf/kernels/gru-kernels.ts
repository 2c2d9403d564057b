/**
 * The GRU recurrence (Keras's default: reset gate after the recurrent product, recurrent bias) as
 * two kernels of the WebAssembly backend, built as the LSTM's are (lstm-kernels.ts): per timestep
 * one direct XNNPACK product on views of the tensors and one call of the SIMD cell in kernels.wat.
 * `reverse` runs the recurrence from the last timestep to the first, in place of reversed copies,
 * for the backward direction of a bidirectional layer; outputs stay in the input's time order.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { fusedKernelsApply, info, kernelsFor, registerWasmKernel, Scratch, type WasmBackend } from './wasm-module';

export const GRU_FORWARD = 'EtudeGruForward';
export const GRU_BACKWARD = 'EtudeGruBackward';

interface Attrs {
  reverse: boolean;
}

/** Timestep indices in the order the recurrence visits them. */
function order(T: number, reverse: boolean): number[] {
  return Array.from({ length: T }, (_, k) => (reverse ? T - 1 - k : k));
}

/**
 * Forward from zero state. Inputs: `xw` [T, B, 3U] (input projections with the input bias,
 * gates z, r, h), `recurrent` [U, 3U], `recurrentBias` [3U]. Outputs: hidden states [T, B, U] and
 * (z, r, n, hu_h) [T, B, 4U] for the backward pass.
 */
function gruForward({ inputs, backend: b, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: unknown }): tf.TensorInfo[] {
  const backend = b as WasmBackend;
  const kernels = kernelsFor(backend);
  const { xw, recurrent, recurrentBias } = inputs as Record<'xw' | 'recurrent' | 'recurrentBias', tf.TensorInfo>;
  const { reverse } = attrs as Attrs;
  const [T, B, G] = xw.shape as [number, number, number];
  const U = G / 3;
  const hidden = backend.makeOutput([T, B, U], 'float32');
  const act = backend.makeOutput([T, B, 4 * U], 'float32');
  const product = backend.makeOutput([B, G], 'float32');
  const scratch = new Scratch(backend, [1, B, U, 1, U, G]);
  try {
    const [xwAt, hiddenAt, actAt, productAt, biasAt] = [xw, hidden, act, product, recurrentBias].map((t) => info(backend, t).memoryOffset) as number[];
    const recurrentId = info(backend, recurrent).id;
    const productId = info(backend, product).id;
    const stateBytes = 4 * B * U;
    let prev = -1;
    for (const t of order(T, reverse)) {
      if (prev >= 0) {
        const hPrev = scratch.view(hiddenAt! + prev * stateBytes, B * U);
        backend.wasm._BatchMatMul(hPrev, scratch.shape(0), 3, recurrentId, scratch.shape(1), 3, 0, 0, productId);
      }
      kernels.gruForward(
        xwAt! + t * 4 * B * G,
        prev >= 0 ? productAt! : 0,
        biasAt!,
        prev >= 0 ? hiddenAt! + prev * stateBytes : 0,
        actAt! + t * 16 * B * U,
        hiddenAt! + t * stateBytes,
        B,
        U,
      );
      prev = t;
    }
  } finally {
    scratch.dispose();
    backend.disposeData(product.dataId);
  }
  return [hidden, act];
}

/**
 * Backward. Inputs: `dy` [T, B, U], the forward's `act` and `hidden`, `recurrentT` [3U, U].
 * Outputs: the gradients of `xw` and of the recurrent product with its bias (hu), both [T, B, 3U].
 */
function gruBackward({ inputs, backend: b, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: unknown }): tf.TensorInfo[] {
  const backend = b as WasmBackend;
  const kernels = kernelsFor(backend);
  const { dy, act, hidden, recurrentT } = inputs as Record<'dy' | 'act' | 'hidden' | 'recurrentT', tf.TensorInfo>;
  const { reverse } = attrs as Attrs;
  const [T, B, U] = hidden.shape as [number, number, number];
  const G = 3 * U;
  const dx = backend.makeOutput([T, B, G], 'float32');
  const dhu = backend.makeOutput([T, B, G], 'float32');
  const carry = backend.makeOutput([B, U], 'float32');
  const dhRecurrent = backend.makeOutput([B, U], 'float32');
  const scratch = new Scratch(backend, [1, B, G, 1, G, U]);
  try {
    const [dyAt, actAt, hiddenAt, dxAt, dhuAt, carryAt, dhAt] = [dy, act, hidden, dx, dhu, carry, dhRecurrent].map((t) => info(backend, t).memoryOffset) as number[];
    const recurrentTId = info(backend, recurrentT).id;
    const dhId = info(backend, dhRecurrent).id;
    const stateBytes = 4 * B * U;
    const visits = order(T, reverse);
    for (let k = T - 1; k >= 0; k--) {
      const t = visits[k]!;
      const prev = k > 0 ? visits[k - 1]! : -1; // the step before this one in the recurrence
      const last = k === T - 1;
      kernels.gruBackward(
        dyAt! + t * stateBytes,
        last ? 0 : dhAt!,
        last ? 0 : carryAt!,
        carryAt!,
        actAt! + t * 16 * B * U,
        prev >= 0 ? hiddenAt! + prev * stateBytes : 0,
        dxAt! + t * 4 * B * G,
        dhuAt! + t * 4 * B * G,
        B,
        U,
      );
      if (prev >= 0) {
        const dhut = scratch.view(dhuAt! + t * 4 * B * G, B * G);
        backend.wasm._BatchMatMul(dhut, scratch.shape(0), 3, recurrentTId, scratch.shape(1), 3, 0, 0, dhId);
      }
    }
  } finally {
    scratch.dispose();
    backend.disposeData(carry.dataId);
    backend.disposeData(dhRecurrent.dataId);
  }
  return [dx, dhu];
}

/** Registers both kernels for the 'wasm' backend (idempotent). */
export function registerGruKernels(): void {
  registerWasmKernel(GRU_FORWARD, gruForward);
  registerWasmKernel(GRU_BACKWARD, gruBackward);
}

/** Whether the current backend runs these kernels for `units`: the hand-written kernels apply and the four-lane cell divides the units. */
export function gruKernelsApply(units: number): boolean {
  return units % 4 === 0 && fusedKernelsApply();
}
