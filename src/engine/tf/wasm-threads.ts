/**
 * The multi-threaded build of the TF.js WebAssembly backend, started in Node.
 *
 * TF.js ships it (`wasm-out/tfjs-backend-wasm-threaded-simd.*`) but only starts it in browsers:
 * its loader hands Emscripten `blob:` URLs for the pthread workers, which `worker_threads` cannot
 * load. Here the same files start from what Node can load: the pthread worker script (which the
 * package exports as a string) from a `data:` URL with `require` provided, and the main glue by
 * its path on disk. XNNPACK then splits matrix products and convolutions over the threads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import * as wasmBackend from '@tensorflow/tfjs-backend-wasm';

// Not named `require`: the desktop build's ESM shim declares that name in the same bundle scope.
const requireHere = createRequire(import.meta.url);

/** How long the threaded build may take to start its workers before the studio gives up on it. */
const START_TIMEOUT_MS = 30_000;

interface EmscriptenModule {
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number | undefined;
  PThread: { runningWorkers: { unref(): void }[] };
  tfjs?: unknown;
}
type ModuleFactory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;
type WasmImports = { env: Record<string, unknown> };
// Node's WebAssembly global, typed here: the engine's TypeScript settings leave out the DOM library.
const { WebAssembly: wasmApi } = globalThis as unknown as {
  WebAssembly: { instantiate(binary: Uint8Array, imports: WasmImports): Promise<{ instance: unknown; module: unknown }> };
};

/** A folder of the installed `@tensorflow/tfjs-backend-wasm` package (`dist`, `wasm-out`), with a trailing separator. */
export function wasmPackageDir(folder: 'dist' | 'wasm-out'): string {
  return path.join(path.dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm/package.json')), folder) + path.sep;
}

/** The pthread worker as an ES module: it was written for a CommonJS scope, so `require` and `__filename` come first. */
function pthreadWorkerUrl(dir: string): URL {
  const source = (requireHere(`${dir}tfjs-backend-wasm-threaded-simd.worker.js`) as { wasmWorkerContents: string }).wasmWorkerContents
    // The export is a template literal: its "\n" escapes arrive as real newlines inside string literals.
    .replace(/\n/g, '\\n');
  const prelude =
    `import { createRequire } from 'node:module';` +
    `const require = createRequire(${JSON.stringify(dir)});` +
    `const __filename = ${JSON.stringify(`${dir}tfjs-backend-wasm-threaded-simd.worker.js`)};\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(prelude + source)}`);
}

async function startModule(threads: number): Promise<EmscriptenModule> {
  const dir = wasmPackageDir('wasm-out');
  const factory = requireHere(`${dir}tfjs-backend-wasm-threaded-simd.js`) as ModuleFactory;
  const binary = fs.readFileSync(`${dir}tfjs-backend-wasm-threaded-simd.wasm`);
  const workerUrl = pthreadWorkerUrl(dir);
  const listenersBefore = new Set<unknown>([...process.listeners('uncaughtException'), ...process.listeners('unhandledRejection')]);
  let instantiationFailed: (err: unknown) => void = () => {};
  const failed = new Promise<never>((_resolve, reject) => (instantiationFailed = reject));
  const started = factory({
    locateFile: (file: string) => (file.endsWith('.worker.js') ? workerUrl : dir + file),
    // Each pthread worker evaluates the main glue from this path.
    mainScriptUrlOrBlob: `${dir}tfjs-backend-wasm-threaded-simd.js`,
    instantiateWasm(imports: WasmImports, receive: (instance: unknown, module: unknown) => void) {
      // The backend caps its thread pool at half the logical cores (assuming hyper-threads), which
      // leaves one thread on a 2-core machine; report enough cores for the count asked for.
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      wasmApi.instantiate(binary, imports).then((r) => receive(r.instance, r.module), instantiationFailed);
      return {};
    },
  });
  const module = await Promise.race([started, failed]);
  // The glue installs process handlers that rethrow every uncaught error (printing the whole glue
  // as the place it came from); the studio keeps Node's own handling.
  for (const listener of process.listeners('uncaughtException')) {
    if (!listenersBefore.has(listener)) process.removeListener('uncaughtException', listener);
  }
  for (const listener of process.listeners('unhandledRejection')) {
    if (!listenersBefore.has(listener)) process.removeListener('unhandledRejection', listener);
  }
  // The same bridge the package's own loader builds.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${ms / 1000} s`)), ms);
    timer.unref();
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (err: unknown) => { clearTimeout(timer); reject(err instanceof Error ? err : new Error(String(err))); },
    );
  });
}

/**
 * Makes the 'wasm' backend start the threaded build with `threads` threads, falling back to the
 * package's single-threaded SIMD build (with the reason handed to `onFallback`) if it cannot.
 * Call before `tf.setBackend('wasm')`.
 */
export function useThreadedWasm(threads: number, onFallback: (reason: string) => void): void {
  const stock = tf.findBackendFactory('wasm');
  if (stock === null) throw new Error('the WebAssembly backend is not registered');
  const BackendWasm = (wasmBackend as unknown as { BackendWasm: new (module: EmscriptenModule) => tf.KernelBackend }).BackendWasm;
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      try {
        wasmBackend.setThreadsCount(threads);
        const module = await withTimeout(startModule(threads), START_TIMEOUT_MS, 'the threaded WebAssembly build');
        const backend = new BackendWasm(module); // starts the thread pool
        // Emscripten keeps running threads referenced, which would keep a finished process alive;
        // the pool only ever works for calls from this thread.
        for (const worker of module.PThread.runningWorkers) worker.unref();
        return backend;
      } catch (err) {
        onFallback(err instanceof Error ? err.message : String(err));
        wasmBackend.setThreadsCount(1);
        return stock();
      }
    },
    2,
  );
}
