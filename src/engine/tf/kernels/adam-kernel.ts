/**
 * One Adam step for one variable as a single kernel of the WebAssembly backend: TF.js's
 * AdamOptimizer runs thirteen kernels a variable (each a pass over its numbers and ~20 µs of
 * bookkeeping), which for seed 004's small model was ~2 ms of a ~35 ms step.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { info, kernelsFor, registerWasmKernel, type WasmBackend } from './wasm-module';

export const ADAM_UPDATE = 'EtudeAdamUpdate';

export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  /** 1 − β₁ᵗ and 1 − β₂ᵗ, as float32 (TF.js subtracts its float32 running powers from one). */
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
  learningRate: number;
  epsilon: number;
}

/** Inputs: the variable's value `w`, its gradient `g`, the moments `m` and `v`. Outputs: w', m', v'. */
function adamUpdate({ inputs, backend: b, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: unknown }): tf.TensorInfo[] {
  const backend = b as WasmBackend;
  const { w, g, m, v } = inputs as Record<'w' | 'g' | 'm' | 'v', tf.TensorInfo>;
  const a = attrs as AdamUpdateAttrs;
  const outputs = [w, m, v].map(() => backend.makeOutput(w.shape, 'float32'));
  const at = (t: tf.TensorInfo) => info(backend, t).memoryOffset;
  const count = w.shape.reduce((x, y) => x * y, 1);
  // The scalars as TF.js makes them: JavaScript numbers (1 − β computed in double) rounded to float32.
  kernelsFor(backend).adamUpdate(
    at(w), at(g), at(m), at(v), at(outputs[0]!), at(outputs[1]!), at(outputs[2]!), count,
    a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.oneMinusAccBeta1, a.oneMinusAccBeta2, -a.learningRate, a.epsilon,
  );
  return outputs;
}

export function registerAdamKernel(): void {
  registerWasmKernel(ADAM_UPDATE, adamUpdate);
}
