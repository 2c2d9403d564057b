/** Errors that leave a WebAssembly runtime unusable: its heap is exhausted or it aborted (emscripten's abort() says "Aborted(…)"). */
export function isOutOfMemory(message: string): boolean {
  return /out of memory|Aborted\(|ERR_WORKER_OUT_OF_MEMORY|could not allocate memory|Array buffer allocation failed/i.test(message);
}
