/**
 * Chooses the TF.js backend: native TensorFlow (tfjs-node) when it loads, else WebAssembly, else
 * the pure-JS CPU backend. Runs inside whichever thread owns the TF runtime (a worker, normally).
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// The union package registers every op's gradient into the shared tfjs-core (tfjs-core's own
// Node bundle has none), which training needs.
import '@tensorflow/tfjs';
import { registerFastMatMulGradient } from './matmul-gradient';
import { useThreadedWasm, wasmPackageDir } from './wasm-threads';
import { registerLstmKernels } from './kernels/lstm-kernels';
import { registerGruKernels } from './kernels/gru-kernels';
import { registerSharedIdentity } from './shared-identity';
import { registerFastTranspose } from './kernels/transpose-kernel';
import { registerFastSlice } from './kernels/slice-kernel';
import { registerCrossEntropyKernels } from './kernels/cross-entropy-kernels';
import { registerAdamKernel } from './kernels/adam-kernel';
import { fusedKernelsApply, fusedKernelsOff } from './kernels/wasm-module';
import type { BackendInfo, BackendName } from '../../shared/api';

export type BackendPreference = 'auto' | BackendName;

export function parseBackendPreference(value: string | undefined): BackendPreference {
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'tensorflow' || value === 'wasm' || value === 'cpu') return value;
  throw new Error(`ETUDE_BACKEND must be auto, tensorflow, wasm or cpu (got "${value}")`);
}

function reason(err: unknown): string {
  if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') {
    return 'not installed (npm drops it where libtensorflow cannot be downloaded)';
  }
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}

async function tryNative(): Promise<void> {
  // A variable specifier: tfjs-node is optional and absent wherever libtensorflow could not be fetched.
  const specifier = '@tensorflow/tfjs-node';
  await import(specifier);
  if (!(await tf.setBackend('tensorflow'))) throw new Error('tfjs-node loaded but its backend did not initialise');
}

/** WebAssembly threads: ETUDE_THREADS, else one per core (the backend's build starts at most 8). */
export function wasmThreadCount(value: string | undefined = process.env.ETUDE_THREADS): number {
  if (value === undefined || value === '') return Math.min(8, os.availableParallelism());
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 8) throw new Error(`ETUDE_THREADS must be a whole number from 1 to 8 (got "${value}")`);
  return count;
}

let threadedWasmRegistered = false;

async function tryWasm(fallbackReasons: string[]): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // The .wasm binaries ship inside the npm package: point TF.js at them on disk, never at a CDN.
  wasm.setWasmPaths(wasmPackageDir('dist'));
  const threads = wasmThreadCount();
  if (threads > 1 && !threadedWasmRegistered) {
    threadedWasmRegistered = true;
    useThreadedWasm(threads, (why) => fallbackReasons.push(`WebAssembly threads unavailable, one thread used: ${why}`));
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('the WebAssembly backend did not initialise');
}

async function wasmThreads(): Promise<number> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  try {
    return wasm.getThreadsCount();
  } catch {
    return 1;
  }
}

registerFastMatMulGradient();
registerLstmKernels();
registerGruKernels();
registerSharedIdentity();
registerFastTranspose();
registerFastSlice();
registerCrossEntropyKernels();
registerAdamKernel();

/** `native: false` leaves native TensorFlow out of an automatic choice (it loads in one worker of a process only). */
export async function selectBackend(preference: BackendPreference = 'auto', options: { native: boolean } = { native: true }): Promise<BackendInfo> {
  const fallbackReasons: string[] = [];
  const order: BackendName[] = preference !== 'auto' ? [preference] : options.native ? ['tensorflow', 'wasm', 'cpu'] : ['wasm', 'cpu'];
  for (const name of order) {
    try {
      if (name === 'tensorflow') await tryNative();
      else if (name === 'wasm') await tryWasm(fallbackReasons);
      else if (!(await tf.setBackend('cpu'))) throw new Error('the CPU backend did not initialise');
      await tf.ready();
      const threads = name === 'tensorflow' ? os.availableParallelism() : name === 'wasm' ? await wasmThreads() : 1;
      const simd = name === 'wasm' ? (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true : name === 'tensorflow';
      const fusedKernels = name === 'wasm' && fusedKernelsApply();
      if (name === 'wasm' && !fusedKernels) {
        fallbackReasons.push(
          fusedKernelsOff()
            ? 'fused kernels turned off (ETUDE_FUSED_KERNELS=0): recurrent layers and losses train on TF.js ops'
            : "fused kernels unavailable (the WebAssembly backend's memory is not reachable): recurrent layers and losses train on TF.js ops",
        );
      }
      return { name, threads, simd, fusedKernels, tfjsVersion: tf.version_core, fallbackReasons };
    } catch (err) {
      const label = name === 'tensorflow' ? 'native TensorFlow (tfjs-node)' : name === 'wasm' ? 'WebAssembly backend' : 'CPU backend';
      fallbackReasons.push(`${label} unavailable: ${reason(err)}`);
    }
  }
  throw new Error(`no TF.js backend could be initialised: ${fallbackReasons.join('; ')}`);
}
