import { isMethodName, methodInputs, type EngineEvents, type EventMessage, type EventName, type MethodName } from '../shared/api';
import { EtudeError, toErrorData } from '../shared/errors';
import type { Reply } from '../shared/reply';
import type { EngineContext } from './context';
import { ensureStarterCorpus, skipStarterCorpus } from './corpus/starter';
import { ensureBaseModels } from './base-models/install';
import { handlers } from './handlers/index';
import { Store } from './store/store';
import { applyPendingRestore } from './store/pending-restore';
import { applyPendingRebuild } from './library/pending-rebuild';
import { TfClient, type TfClientOptions } from './workers/tf-client';
import type { WorkerMemory } from './workers/protocol';
import { FileParser } from './parse/file-parser';
import { TrainingService } from './train/service';
import { GenerationService } from './generate/service';
import { OriginalityService } from './originality/check';
import { EvaluationService } from './train/evaluation-service';
import { LibraryCare } from './library/service';
import { damagedLibraryError, isCorruption } from './store/health';
import { FidelityService } from './fidelity/service';

export interface EngineOptions {
  dbPath: string;
  /** better-sqlite3 binary for this runtime's ABI (Electron passes its own build). */
  sqliteBinding?: string;
  /** Forces a TF.js backend (`auto`, `tensorflow`, `wasm`, `cpu`); defaults to ETUDE_BACKEND. */
  backend?: string;
  /** Import the bundled starter tunes on a database's first run (default true). */
  starterCorpus?: boolean;
  /** Install the shipped base models on a database's first run (default true). */
  baseModels?: boolean;
  /**
   * Start the generation worker now rather than at the first Generate, so the session's first take
   * does not wait for it (the studio's windows; a one-off CLI command would only pay for it).
   */
  warmGeneration?: boolean;
  /**
   * The check at open, daily backups and the weekly full check while the engine runs (the studio's
   * windows and the web studio; default false, so a one-off CLI command does not start them).
   */
  libraryCare?: boolean;
  /** The generation worker's bounds (defaults: GENERATION_WORKER). */
  generationWorker?: Pick<TfClientOptions, 'modelCacheMb' | 'recycleMb' | 'cancelGraceMs'>;
}

/** A damaged file's SQLite error becomes a sentence; everything else as it was. */
function libraryErrorData(err: unknown, dbPath: string) {
  return toErrorData(isCorruption(err) ? damagedLibraryError(dbPath) : err);
}

/**
 * Models kept loaded for the next take (a base model's weights are 3–6 MB); a heap ceiling well
 * under WebAssembly's 4 GB, past which an idle worker is replaced; how long a cancelled generation
 * may take to stop before its worker is.
 */
const GENERATION_WORKER = { modelCacheMb: 256, recycleMb: 1536, cancelGraceMs: 3000 } as const;
/** The training worker's heap ceiling between jobs (a run's batches need more room than a take). */
const TRAINING_RECYCLE_MB = 2048;

type Listener = (message: EventMessage) => void;

/** Formats schema issues as "path: message" so a caller can tell which argument was wrong. */
function issuesOf(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }) {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(input)', message: i.message }));
}

/**
 * The studio engine: plain Node, no Electron. Every transport (IPC, HTTP, WebSocket, CLI) calls
 * `call(method, input)` with untrusted input and gets a Reply; nothing a caller sends can crash it.
 */
export class Engine {
  readonly store: Store;
  private readonly tf: TfClient;
  private readonly generationTf: TfClient;
  private readonly listeners = new Set<Listener>();
  private readonly ctx: EngineContext;
  private closed = false;
  /** First-run work (the starter corpus) that calls wait for, so the first listing already shows it. */
  private starting: Promise<void> = Promise.resolve();

  readonly training: TrainingService;
  readonly generation: GenerationService;
  readonly library: LibraryCare;
  /** Runs already backed up after completing (a run's end may be announced more than once). */
  private readonly backedUpRuns = new Set<number>();

  private constructor(store: Store, tf: TfClient, generationTf: TfClient, sqliteBinding: string | undefined) {
    this.store = store;
    this.tf = tf;
    this.generationTf = generationTf;
    const emit = <E extends EventName>(event: E, payload: EngineEvents[E]) => {
      this.emit(event, payload);
      // A completed run's checkpoints are hours of work: back the library up once it has them.
      if (event === 'training.status') {
        const run = (payload as EngineEvents['training.status']).run;
        if (run.status === 'completed' && !this.backedUpRuns.has(run.id)) {
          this.backedUpRuns.add(run.id);
          this.library.afterTraining();
        }
      }
    };
    this.library = new LibraryCare(store, sqliteBinding, (status) => this.emit('library.status', status));
    this.training = new TrainingService(store, tf, emit);
    const parser = new FileParser();
    this.generation = new GenerationService(store, generationTf, emit, parser);
    this.ctx = {
      store,
      tf,
      training: this.training,
      generation: this.generation,
      originality: new OriginalityService(store),
      evaluation: new EvaluationService(store, tf),
      library: this.library,
      fidelity: new FidelityService(store, generationTf, emit),
      parser,
      imports: new Map(),
      emit,
    };
  }

  /** Opens the engine after carrying out a restore the studio asked for (store/pending-restore), saying what became of it. */
  static async start(options: EngineOptions): Promise<Engine> {
    const restore = await applyPendingRestore(options.dbPath, options.sqliteBinding);
    if (restore && 'refused' in restore) console.warn(`[engine] the restore asked for was not done: ${restore.refused}`);
    else if (restore) console.warn(`[engine] the library was restored from ${restore.restored}${restore.keptAs ? `; the library as it was is kept as ${restore.keptAs}` : ''}`);
    const rebuilt = await applyPendingRebuild(options.dbPath, (dbPath) => {
      const engine = Engine.open({ ...options, dbPath, starterCorpus: false, libraryCare: false, warmGeneration: false });
      skipStarterCorpus(engine.store);
      return engine;
    });
    if (rebuilt) console.warn(`[engine] a new library was built from the rescue: ${rebuilt.pieces} pieces in ${rebuilt.corpora} corpora and ${rebuilt.models} models; the damaged one is kept as ${rebuilt.damagedKeptAs}`);
    return Engine.open(options);
  }

  static open(options: EngineOptions): Engine {
    let store: Store;
    try {
      store = Store.open(options.dbPath, { nativeBinding: options.sqliteBinding });
    } catch (err) {
      throw isCorruption(err) ? damagedLibraryError(options.dbPath) : err;
    }
    // Runs left 'running' by a process that died (a crash, kill -9) are marked interrupted, resumable.
    // On a damaged library this may not read: the studio opens anyway, to say what is damaged and offer a rescue.
    let readable = true;
    if (store.readOnly) console.warn(`[engine] ${store.readOnly}`);
    else {
      try {
        store.runs.recoverInterrupted();
      } catch (err) {
        if (!isCorruption(err)) {
          store.close();
          throw err;
        }
        readable = false;
      }
    }
    const backend = options.backend ?? process.env.ETUDE_BACKEND;
    const db = { path: store.path, ...(options.sqliteBinding ? { nativeBinding: options.sqliteBinding } : {}) };
    const tf = new TfClient(db, backend, { label: 'the training worker', retryHint: '', recycleMb: TRAINING_RECYCLE_MB });
    // Generation has its own worker, started when first used: a take never waits behind a long
    // training step, and batch-1 steps run faster on one WebAssembly thread (the pool's wake-ups
    // cost more than they save on products of a row or two). Native TensorFlow, forced, loads in
    // one worker only, so then the two share it.
    const generationTf = backend === 'tensorflow' ? tf : new TfClient(db, backend, { threads: 1, native: false, label: 'the generator', ...GENERATION_WORKER, ...options.generationWorker });
    const engine = new Engine(store, tf, generationTf, options.sqliteBinding);
    if (options.libraryCare && !store.readOnly) engine.library.start();
    // A failure here is reported by the first generation, which starts the worker again.
    if (options.warmGeneration) generationTf.backendInfo().catch(() => undefined);
    engine.starting = (async () => {
      // A damaged library gets nothing added to it, nor a full disk: first-run work waits for a library that reads clean and can be written.
      if (!readable || store.readOnly) return;
      if (options.starterCorpus !== false) {
        await ensureStarterCorpus(store).catch((err: unknown) => console.warn(`[engine] the starter corpus was not imported: ${libraryErrorData(err, store.path).message}`));
      }
      if (options.baseModels !== false) {
        try {
          ensureBaseModels(store, { onSkipped: (name, reason) => console.warn(`[engine] the base model ${name} was skipped: ${reason}`) });
        } catch (err) {
          console.warn(`[engine] the base models were not installed: ${libraryErrorData(err, store.path).message}`);
        }
      }
    })();
    return engine;
  }

  async call(method: unknown, input: unknown): Promise<Reply<unknown>> {
    try {
      if (this.closed) throw new EtudeError('unavailable', 'the engine is shutting down');
      if (!isMethodName(method)) {
        throw new EtudeError('unknown_method', `unknown method ${JSON.stringify(method)}`);
      }
      await this.starting;
      return { ok: true, value: await this.dispatch(method, input ?? {}) };
    } catch (err) {
      return { ok: false, error: libraryErrorData(err, this.store.path) };
    }
  }

  private async dispatch<M extends MethodName>(method: M, input: unknown): Promise<unknown> {
    const parsed = methodInputs[method].safeParse(input);
    if (!parsed.success) {
      // The message names each problem, so a CLI or a toast that shows only the message still says what to fix.
      const issues = issuesOf(parsed.error);
      throw new EtudeError('invalid_input', `invalid input for ${method}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
    }
    const handler = handlers[method] as (input: unknown, ctx: EngineContext) => unknown;
    return handler(parsed.data, this.ctx);
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, payload: EngineEvents[E]): void {
    const message = { event, payload } as EventMessage;
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch (err) {
        console.error(`[engine] event listener failed: ${toErrorData(err).message}`);
      }
    }
  }

  /** What each TF worker's runtime holds now (the leak tests and the soak benchmark read it; starts a worker that is not running). */
  async workerMemory(): Promise<{ training: WorkerMemory; generation: WorkerMemory }> {
    return { training: await this.tf.memory(), generation: await this.generationTf.memory() };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.emit('engine.status', { state: 'closing', at: Date.now() });
    this.closed = true;
    await this.starting;
    await this.training.shutdown();
    await this.library.close();
    for (const controller of this.ctx.imports.values()) controller.abort();
    this.listeners.clear();
    await this.tf.close();
    await this.generationTf.close();
    await this.ctx.parser.close();
    this.store.close();
  }
}
