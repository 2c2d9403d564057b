import type { Worker } from 'node:worker_threads';
import type { BackendInfo } from '../../shared/api';
import type { FromTfWorker, ToTfWorker } from './protocol';
import { spawnWorker } from './spawn';

/** The engine's handle on its TF worker: started on first use, kept for the engine's lifetime. */
export class TfHost {
  private worker: Worker | null = null;
  private ready: Promise<BackendInfo> | null = null;
  private readonly listeners = new Set<(message: FromTfWorker) => void>();

  /**
   * `threads` fixes the WebAssembly backend's threads for this worker (else ETUDE_THREADS or one
   * per core); `native: false` keeps an automatic choice off native TensorFlow, which loads in
   * only one worker of a process.
   */
  constructor(
    private readonly backendPreference: string | undefined = process.env.ETUDE_BACKEND,
    private readonly options: { threads?: number; native?: boolean } = {},
  ) {}

  backendInfo(): Promise<BackendInfo> {
    this.ready ??= this.start();
    return this.ready;
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
      worker.on('message', (message: FromTfWorker) => {
        for (const listener of this.listeners) listener(message);
        if (message.type === 'ready') resolve(message.backend);
        else if (message.type === 'error') fail(new Error(message.message));
        else if (message.type === 'log') console[message.level](`[tf-worker] ${message.message}`);
      });
      worker.once('error', fail);
      worker.once('exit', (code) => {
        if (this.worker === worker) this.worker = null;
        this.ready = null; // the next send starts a fresh worker
        fail(new Error(`the TF worker exited (code ${code}) before it was ready`));
        for (const listener of this.listeners) listener({ type: 'exit', code });
      });
      worker.postMessage({ type: 'init', backend: this.backendPreference, ...(native === false ? { native } : {}) } satisfies ToTfWorker);
    });
  }

  /** Sends a message once the worker has chosen its backend. */
  async send(message: ToTfWorker): Promise<void> {
    await this.backendInfo();
    this.worker!.postMessage(message);
  }

  onMessage(listener: (message: FromTfWorker) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
}
