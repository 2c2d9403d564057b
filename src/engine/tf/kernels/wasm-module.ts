/**
 * The hand-written WebAssembly kernels (`kernels.wat`), instantiated on the TF.js
 * WebAssembly backend's own memory so they read and write tensors where they lie.
 */
import * as tf from '@tensorflow/tfjs-core';
import { kernelsShared, kernelsUnshared } from './kernels.wasm';

export interface WasmMemory { buffer: ArrayBufferLike }
// Node's WebAssembly global, typed here: the engine's TypeScript settings leave out the DOM library.
const { WebAssembly: wasmApi } = globalThis as unknown as {
  WebAssembly: {
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object, imports: { env: { memory: WasmMemory } }) => { exports: Record<string, unknown> };
    Memory: abstract new (...args: never[]) => WasmMemory;
  };
};

/** The parts of the WebAssembly backend (and its Emscripten module) these kernels use. */
export interface WasmBackend {
  wasm: {
    _BatchMatMul(aId: number, aShape: number, aRank: number, bId: number, bShape: number, bRank: number, transposeA: number, transposeB: number, outId: number): void;
    _malloc(bytes: number): number;
    _free(pointer: number): void;
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
    // The threaded build creates its memory in JS; the single-threaded one exports it.
    wasmMemory?: WasmMemory;
    asm?: { memory?: WasmMemory };
  };
  dataIdMap: { get(dataId: tf.DataId): { id: number; memoryOffset: number } };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
}

export interface KernelExports {
  lstmForward(xw: number, product: number, cPrev: number, act: number, cell: number, hidden: number, rows: number, units: number): void;
  lstmBackward(dy: number, dhRecurrent: number, dc: number, first: number, act: number, cell: number, cPrev: number, dz: number, rows: number, units: number): void;
  gruForward(xw: number, product: number, bias: number, hPrev: number, act: number, hidden: number, rows: number, units: number): void;
  gruBackward(dy: number, dhRecurrent: number, carryIn: number, carryOut: number, act: number, hPrev: number, dx: number, dhu: number, rows: number, units: number): void;
  transpose2d(src: number, dst: number, rows: number, cols: number): void;
  softmaxRows(logits: number, probs: number, rowMax: number, rowSum: number, rows: number, cols: number): void;
  scale(src: number, dst: number, count: number, factor: number): void;
  adamUpdate(
    w: number, g: number, m: number, v: number, wOut: number, mOut: number, vOut: number, count: number,
    beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
    oneMinusAccBeta1: number, oneMinusAccBeta2: number, negLr: number, epsilon: number,
  ): void;
}

const kernelsByBackend = new WeakMap<object, KernelExports>();

/** `ETUDE_FUSED_KERNELS=0`: train with plain TF.js ops instead of the fused LSTM and cross-entropy kernels, for comparison. */
export function fusedKernelsOff(): boolean {
  return process.env.ETUDE_FUSED_KERNELS === '0';
}

/**
 * Whether the current backend runs the hand-written kernels: the WebAssembly backend with its
 * memory reachable, and not turned off. Anything else (native TensorFlow, the CPU backend) takes
 * TF.js ops.
 */
export function fusedKernelsApply(): boolean {
  if (tf.getBackend() !== 'wasm' || fusedKernelsOff()) return false;
  try {
    kernelsFor(tf.backend() as unknown as WasmBackend);
    return true;
  } catch {
    return false;
  }
}

/** Registers a kernel of the 'wasm' backend once (later calls keep the first). */
export function registerWasmKernel(kernelName: string, kernelFunc: unknown): void {
  if (tf.getKernel(kernelName, 'wasm') === undefined) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc });
}

/**
 * Puts a faster path in front of one of the 'wasm' backend's own kernels: `fast` returns its
 * output, or null to leave the call to the stock kernel.
 */
export function overrideWasmKernel(kernelName: string, fast: (args: Parameters<tf.KernelFunc>[0]) => tf.TensorInfo | null): void {
  const stock = tf.getKernel(kernelName, 'wasm');
  if (stock === undefined) return;
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ ...stock, kernelFunc: (args) => fast(args) ?? stock.kernelFunc(args) });
}

export function memoryOf(backend: WasmBackend): WasmMemory {
  const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
  if (!(memory instanceof wasmApi.Memory)) throw new Error('the WebAssembly backend does not expose its memory');
  return memory;
}

/** The cell module instantiated on this backend's memory (once per backend). */
export function kernelsFor(backend: WasmBackend): KernelExports {
  let cells = kernelsByBackend.get(backend);
  if (cells === undefined) {
    const memory = memoryOf(backend);
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const bytes = Buffer.from(shared ? kernelsShared : kernelsUnshared, 'base64');
    cells = new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } }).exports as unknown as KernelExports;
    kernelsByBackend.set(backend, cells);
  }
  return cells;
}

/**
 * Scratch for one kernel call: shapes for the direct matMul calls, and registered views of
 * timestep slices (the backend's matMul takes tensor ids, not addresses).
 */
export class Scratch {
  private readonly views: number[] = [];
  private readonly shapes: number;
  constructor(private readonly backend: WasmBackend, shapeValues: number[]) {
    this.shapes = backend.wasm._malloc(4 * shapeValues.length);
    new Int32Array(memoryOf(backend).buffer, this.shapes, shapeValues.length).set(shapeValues);
  }
  /** Address of the k-th 3-number shape given to the constructor. */
  shape(k: number): number {
    return this.shapes + 12 * k;
  }
  /** A tensor id for `size` floats at `offset`, valid until `dispose`. */
  view(offset: number, size: number): number {
    const id = this.backend.dataIdNextNumber++;
    this.backend.wasm.tfjs.registerTensor(id, size, offset);
    this.views.push(id);
    return id;
  }
  dispose(): void {
    for (const id of this.views) this.backend.wasm.tfjs.disposeData(id);
    this.backend.wasm._free(this.shapes);
  }
}

/** Where a tensor lies in the backend's memory, and its id there. */
export const info = (backend: WasmBackend, t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId);
