import { Worker, type WorkerOptions } from 'node:worker_threads';

export type WorkerName = 'tf-worker' | 'library-check';

/** Each worker's entry, relative to this folder: the code that runs inside it lives in `engine/jobs/`. */
const SOURCES: Record<WorkerName, string> = { 'tf-worker': '../jobs/worker.ts', 'library-check': '../library/check-worker.ts' };

/**
 * Starts one of the engine's workers, from TypeScript source when the engine itself runs from
 * source, or from the bundled sibling file in the built desktop app.
 */
export function spawnWorker(name: WorkerName, options: WorkerOptions = {}): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const entry = new URL(SOURCES[name], here).href;
    return new Worker(new URL('./bootstrap.mjs', here), {
      ...options,
      workerData: { ...(options.workerData as object | undefined), __etudeEntry: entry },
    });
  }
  // Bundled: electron-vite emits each worker next to the main bundle as `<name>.js`.
  return new Worker(new URL(`./${name}.js`, here), options);
}
