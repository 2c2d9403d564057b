import type { Worker } from 'node:worker_threads';
import type { BackendInfo } from '../../shared/api';
import { EtudeError } from '../../shared/errors';
import type { FromWorker, JobDatabase, JobKind, Jobs, ToWorker, WorkerMemory } from './protocol';
import { isOutOfMemory } from './out-of-memory';
import { spawnWorker } from './spawn';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress: ((progress: unknown) => void) | undefined;
  /** The worker the request went to (null until it is posted). */
  worker: Worker | null;
  /** Armed by a cancel: the worker is replaced if the job has not ended when it fires. */
  deadline?: NodeJS.Timeout;
}

export interface JobHandle<K extends JobKind> {
  id: string;
  done: Promise<Jobs[K]['result']>;
}

export interface TfClientOptions {
  /** WebAssembly threads for this worker (else ETUDE_THREADS or one per core). */
  threads?: number;
  /** false keeps an automatic choice off native TensorFlow, which loads in only one worker of a process. */
  native?: boolean;
  /** What the worker is to a musician, in the sentences its failures give ("the generator"). */
  label?: string;
  /** Megabytes of loaded models the worker keeps for the next job (0: none). */
  modelCacheMb?: number;
  /** A job that has not ended this long after its cancel gets its worker replaced (unset: never). */
  cancelGraceMs?: number;
  /** Ends the sentence a failed job gets ("try again"; '' leaves it to the caller, as training's "resume…"). */
  retryHint?: string;
  /** Between jobs, a worker whose WebAssembly heap (else its tensors) has grown past this many MB is replaced. */
  recycleMb?: number;
}

let nextId = 0;

/**
 * The engine's side of one TF worker: started on first use and kept for the engine's lifetime. A
 * request is a job with an id; its progress goes to the caller's listener, its result or failure
 * (with the error's kind) settles the caller's promise. A worker that dies, aborts or runs out
 * of memory is replaced: the jobs it held fail with a sentence that says so, the next one runs in a
 * fresh worker. So is one that ignores a cancel, or that has grown past its ceiling between jobs.
 */
export class TfClient {
  private worker: Worker | null = null;
  private ready: Promise<BackendInfo> | null = null;
  private readonly pending = new Map<string, Pending>();
  private readonly probes = new Map<string, { resolve(memory: WorkerMemory): void; reject(error: Error): void; worker: Worker }>();
  /** While close() ends the worker: nothing new is started or sent. */
  private closing = false;
  /** Workers this client replaced because they failed, hung or grew (the soak benchmark reports it). */
  restarts = 0;

  constructor(
    private readonly db: JobDatabase,
    private readonly backendPreference: string | undefined = process.env.ETUDE_BACKEND,
    private readonly options: TfClientOptions = {},
  ) {}

  private get label(): string {
    return this.options.label ?? 'the TF worker';
  }

  /** What the failed job's caller is told to do next (its own words follow where it has them). */
  private get retry(): string {
    return this.options.retryHint === '' ? '' : `; ${this.options.retryHint ?? 'try again'}`;
  }

  backendInfo(): Promise<BackendInfo> {
    this.ready ??= this.start();
    return this.ready;
  }

  /** Starts a job; `id` may be chosen by the caller (a generation the client can cancel by it). */
  request<K extends JobKind>(kind: K, input: Jobs[K]['input'], options: { id?: string; onProgress?: (progress: Jobs[K]['progress']) => void } = {}): JobHandle<K> {
    const id = options.id ?? `job-${++nextId}`;
    if (this.pending.has(id)) throw new EtudeError('conflict', `a job with id ${id} is already running`);
    const done = new Promise<Jobs[K]['result']>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, onProgress: options.onProgress as ((p: unknown) => void) | undefined, worker: null });
    });
    this.live(() => this.pending.has(id)).then(
      (worker) => {
        const p = this.pending.get(id);
        if (!p || !worker) return; // cancelled, or the client closed, before it started
        p.worker = worker;
        worker.postMessage({ type: 'request', id, kind, input, db: this.db } as ToWorker);
      },
      (err: unknown) => this.settle(id, (p) => p.reject(err instanceof Error ? err : new Error(String(err)))),
    );
    return { id, done };
  }

  /** Steers a running job (pause, stop, cancel…); false when no such job is running. */
  control<K extends JobKind>(id: string, control: Jobs[K]['control']): boolean {
    const p = this.pending.get(id);
    if (!p || !this.worker) return false;
    this.worker.postMessage({ type: 'control', id, control: control as string } satisfies ToWorker);
    const grace = this.options.cancelGraceMs;
    if (control === 'cancel' && grace !== undefined && !p.deadline) {
      // A model build or a step that cannot be interrupted: the worker goes, so the next job need not wait.
      p.deadline = setTimeout(() => {
        const job = this.pending.get(id);
        if (!job) return;
        const worker = job.worker;
        if (!worker) {
          // Never reached the worker: it is simply not sent.
          this.settle(id, (q) => q.reject(new EtudeError('cancelled', 'the job was cancelled before it started')));
          return;
        }
        this.settle(id, (q) => q.reject(new EtudeError('cancelled', `the job was cancelled; ${this.label} did not stop in time, so it was restarted`)));
        this.replace(worker, `${this.label} was restarted to end a job that did not answer its cancel${this.retry}`);
      }, grace);
      p.deadline.unref();
    }
    return true;
  }

  /** What the worker's TF runtime holds now (starts the worker if it is not running). */
  async memory(): Promise<WorkerMemory> {
    const worker = await this.live();
    if (!worker) throw new EtudeError('unavailable', `${this.label} was closed`);
    const id = `memory-${++nextId}`;
    return new Promise<WorkerMemory>((resolve, reject) => {
      this.probes.set(id, { resolve, reject, worker });
      worker.postMessage({ type: 'memory', id } satisfies ToWorker);
    });
  }

  isRunning(id: string): boolean {
    return this.pending.has(id);
  }

  /** True while the worker thread exists (it dies with a crash, or on close). */
  get alive(): boolean {
    return this.worker !== null;
  }

  /** Ends the worker; every job not yet finished (sent or about to be) fails as unavailable. A later request starts a fresh worker. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.ready = null;
    this.closing = true;
    try {
      if (worker) await worker.terminate();
    } finally {
      this.closing = false;
    }
    const closed = new EtudeError('unavailable', `${this.label} was closed`);
    for (const id of [...this.pending.keys()]) this.settle(id, (p) => p.reject(closed));
    for (const [id, probe] of [...this.probes]) {
      this.probes.delete(id);
      probe.reject(closed);
    }
  }

  /** The running worker, started (or started again) when there is none; null once `wanted` says the caller has gone (a closed client starts nothing). */
  private async live(wanted: () => boolean = () => true): Promise<Worker | null> {
    // A worker replaced while this waited is followed by its successor (at most twice: a worker that cannot start rejects).
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!wanted() || this.closing) return null;
      await this.backendInfo();
      if (!wanted() || this.closing) return null;
      if (this.worker) return this.worker;
    }
    throw new EtudeError('unavailable', `${this.label} could not be started`);
  }

  private settle(id: string, how: (p: Pending) => void): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (p.deadline) clearTimeout(p.deadline);
    how(p);
    if (this.pending.size === 0) void this.recycleIfGrown();
  }

  /**
   * Ends a worker that cannot be trusted any more: the jobs it holds fail with `reason`, and the
   * next request starts a fresh one (started now, so it is warm by then).
   */
  private replace(worker: Worker, reason: string, kind: 'unavailable' | 'cancelled' = 'unavailable'): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.ready = null;
    this.restarts++;
    this.failHeldBy(worker, new EtudeError(kind, reason));
    void worker.terminate();
    this.backendInfo().catch(() => undefined);
  }

  private failHeldBy(worker: Worker, error: EtudeError): void {
    for (const [id, p] of [...this.pending]) if (p.worker === worker) this.settle(id, (q) => q.reject(error));
    for (const [id, probe] of [...this.probes]) {
      if (probe.worker !== worker) continue;
      this.probes.delete(id);
      probe.reject(error);
    }
  }

  /** Between jobs: a worker grown past its ceiling (a leak, a huge model once loaded) is replaced by a fresh one. */
  private async recycleIfGrown(): Promise<void> {
    const ceiling = this.options.recycleMb;
    const worker = this.worker;
    if (ceiling === undefined || !worker) return;
    let memory: WorkerMemory;
    try {
      memory = await this.memory();
    } catch {
      return; // it died meanwhile: that is handled where it died
    }
    const mb = (memory.wasmHeapBytes ?? memory.numBytes) / 2 ** 20;
    if (mb > ceiling && this.pending.size === 0 && this.worker === worker) this.replace(worker, `${this.label} was recycled`);
  }

  private onMessage(worker: Worker, message: FromWorker): void {
    switch (message.type) {
      case 'progress':
        this.pending.get(message.id)?.onProgress?.(message.progress);
        break;
      case 'result':
        this.settle(message.id, (p) => p.resolve(message.value));
        break;
      case 'memory':
        this.probes.get(message.id)?.resolve(message.memory);
        this.probes.delete(message.id);
        break;
      case 'failure': {
        if (message.fatal) {
          // The runtime aborted (its heap exhausted): this job and every other it holds fail, the worker goes.
          const sentence = `${this.label} ran out of memory and was restarted${this.retry}`;
          this.settle(message.id, (p) => p.reject(new EtudeError('unavailable', sentence)));
          this.replace(worker, sentence);
        } else this.settle(message.id, (p) => p.reject(EtudeError.fromData(message.error)));
        break;
      }
    }
  }

  private start(): Promise<BackendInfo> {
    const { threads, native } = this.options;
    const worker = spawnWorker('tf-worker', threads === undefined ? {} : { env: { ...process.env, ETUDE_THREADS: String(threads) } });
    this.worker = worker;
    let ready = false;
    let lastError: Error | null = null;
    return new Promise<BackendInfo>((resolve, reject) => {
      const fail = (err: Error): void => {
        if (this.worker === worker || this.worker === null) this.ready = null; // a later call may try again
        reject(err);
      };
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          ready = true;
          resolve(message.backend);
        } else if (message.type === 'init-failed') fail(EtudeError.fromData(message.error));
        else this.onMessage(worker, message);
      });
      worker.on('error', (err) => {
        lastError = err;
        if (!ready) fail(err);
      });
      worker.once('exit', (code) => {
        const current = this.worker === worker;
        if (current) {
          this.worker = null;
          this.ready = null; // the next request starts a fresh worker
        }
        fail(new EtudeError('unavailable', `${this.label} exited (code ${code}) before it was ready`));
        const why = lastError as Error | null;
        const oom = why !== null && (isOutOfMemory(why.message) || (why as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY');
        const sentence = oom ? `${this.label} ran out of memory and was restarted${this.retry}` : `${this.label} stopped unexpectedly (code ${code}) and was restarted${this.retry}`;
        const held = [...this.pending.values()].some((p) => p.worker === worker) || [...this.probes.values()].some((p) => p.worker === worker);
        this.failHeldBy(worker, new EtudeError('unavailable', sentence));
        // A worker that died under a job is replaced at once, so the next job finds it warm.
        if (current && ready && held) {
          this.restarts++;
          this.backendInfo().catch(() => undefined);
        }
      });
      worker.postMessage({ type: 'init', backend: this.backendPreference, native: native ?? true, modelCacheMb: this.options.modelCacheMb ?? 0 } satisfies ToWorker);
    });
  }
}
