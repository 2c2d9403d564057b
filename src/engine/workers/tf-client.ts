import type { Worker } from 'node:worker_threads';
import type { BackendInfo } from '../../shared/api';
import { EtudeError } from '../../shared/errors';
import type { FromWorker, JobDatabase, JobKind, Jobs, ToWorker } from './protocol';
import { spawnWorker } from './spawn';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress: ((progress: unknown) => void) | undefined;
}

export interface JobHandle<K extends JobKind> {
  id: string;
  done: Promise<Jobs[K]['result']>;
}

let nextId = 0;

/**
 * The engine's side of one TF worker: started on first use and kept for the engine's lifetime. A
 * request is a job with an id; its progress goes to the caller's listener, its result or failure
 * (with the error's kind) settles the caller's promise, and if the worker dies every job still
 * pending fails as `unavailable`.
 */
export class TfClient {
  private worker: Worker | null = null;
  private ready: Promise<BackendInfo> | null = null;
  private readonly pending = new Map<string, Pending>();

  /**
   * `threads` fixes the WebAssembly backend's threads for this worker (else ETUDE_THREADS or one
   * per core); `native: false` keeps an automatic choice off native TensorFlow, which loads in
   * only one worker of a process.
   */
  constructor(
    private readonly db: JobDatabase,
    private readonly backendPreference: string | undefined = process.env.ETUDE_BACKEND,
    private readonly options: { threads?: number; native?: boolean } = {},
  ) {}

  backendInfo(): Promise<BackendInfo> {
    this.ready ??= this.start();
    return this.ready;
  }

  /** Starts a job; `id` may be chosen by the caller (a generation the client can cancel by it). */
  request<K extends JobKind>(kind: K, input: Jobs[K]['input'], options: { id?: string; onProgress?: (progress: Jobs[K]['progress']) => void } = {}): JobHandle<K> {
    const id = options.id ?? `job-${++nextId}`;
    if (this.pending.has(id)) throw new EtudeError('conflict', `a job with id ${id} is already running`);
    const done = new Promise<Jobs[K]['result']>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, onProgress: options.onProgress as ((p: unknown) => void) | undefined });
    });
    this.backendInfo().then(
      () => this.post({ type: 'request', id, kind, input, db: this.db } as ToWorker),
      (err: unknown) => this.settle(id, (p) => p.reject(err instanceof Error ? err : new Error(String(err)))),
    );
    return { id, done };
  }

  /** Steers a running job (pause, stop, cancel…); false when no such job is running. */
  control<K extends JobKind>(id: string, control: Jobs[K]['control']): boolean {
    if (!this.pending.has(id) || !this.worker) return false;
    this.post({ type: 'control', id, control: control as string });
    return true;
  }

  isRunning(id: string): boolean {
    return this.pending.has(id);
  }

  /** True while the worker thread exists (it dies with a crash, or on close). */
  get alive(): boolean {
    return this.worker !== null;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.ready = null;
    if (worker) await worker.terminate();
  }

  private post(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private settle(id: string, how: (p: Pending) => void): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    how(p);
  }

  private onMessage(message: FromWorker): void {
    switch (message.type) {
      case 'progress':
        this.pending.get(message.id)?.onProgress?.(message.progress);
        break;
      case 'result':
        this.settle(message.id, (p) => p.resolve(message.value));
        break;
      case 'failure':
        this.settle(message.id, (p) => p.reject(EtudeError.fromData(message.error)));
        break;
    }
  }

  private start(): Promise<BackendInfo> {
    const { threads, native } = this.options;
    const worker = spawnWorker('tf-worker', threads === undefined ? {} : { env: { ...process.env, ETUDE_THREADS: String(threads) } });
    this.worker = worker;
    return new Promise<BackendInfo>((resolve, reject) => {
      const fail = (err: Error): void => {
        if (this.worker === worker || this.worker === null) this.ready = null; // a later call may try again
        reject(err);
      };
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') resolve(message.backend);
        else if (message.type === 'init-failed') fail(EtudeError.fromData(message.error));
        else this.onMessage(message);
      });
      worker.once('error', fail);
      worker.once('exit', (code) => {
        if (this.worker === worker) this.worker = null;
        this.ready = null; // the next request starts a fresh worker
        fail(new EtudeError('unavailable', `the TF worker exited (code ${code}) before it was ready`));
        for (const id of [...this.pending.keys()]) {
          this.settle(id, (p) => p.reject(new EtudeError('unavailable', `the TF worker stopped unexpectedly (code ${code})`)));
        }
      });
      worker.postMessage({ type: 'init', backend: this.backendPreference, native: native ?? true } satisfies ToWorker);
    });
  }
}
