/**
 * A worker that owns a TF.js runtime and runs the engine's jobs: training runs, generations,
 * evaluations. The engine starts two (training on every core, generation on one thread); native
 * tfjs-node cannot be loaded in a second worker of one process (tfjs #2079, #8388), so where it is
 * forced both roles share one. Everything in this folder runs inside such a worker.
 */
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { BackendInfo } from '../../shared/api';
import { toErrorData } from '../../shared/errors';
import { Store } from '../store/store';
import { parseBackendPreference, selectBackend } from '../tf/backend';
import type { FromWorker, JobKind, ToWorker } from '../workers/protocol';
import { evaluateCheckpoint } from './evaluate';
import { runGeneration } from './generate/job';
import { runFidelity } from './fidelity';
import { scoreCorpus } from './score';
import { calibrate } from './calibrate';
import { workerMemory } from './memory';
import { ModelCache } from './generate/model-cache';
import { isOutOfMemory } from '../workers/out-of-memory';
import { JobControl, type JobRunner } from './job-context';
import { runTraining } from './train/run';

const port = parentPort;
if (!port) throw new Error('the TF worker must run in a worker thread');

const RUNNERS: { [K in JobKind]: JobRunner<K> } = {
  train: runTraining,
  generate: runGeneration,
  evaluate: evaluateCheckpoint,
  score: scoreCorpus,
  calibrate,
  fidelity: runFidelity,
};

function send(message: FromWorker): void {
  port!.postMessage(message);
}

let backend: Promise<BackendInfo> | null = null;
const controls = new Map<string, JobControl>();
const models = new ModelCache(0);
/** Jobs of each kind this worker has started, for the tests' injected faults. */
const started = new Map<JobKind, number>();

/**
 * Tests only (ETUDE_TEST_FAULT=abort|exit|hang:KIND:N:MARKER, never set by the studio): the Nth
 * job of KIND in a worker fails as a WebAssembly runtime does when its heap is exhausted, ends the
 * thread, or blocks it as a model build that cannot be interrupted would; a training run at its
 * first report (mid-run), any other job as it starts. It fires once: it writes the MARKER file,
 * and a worker that finds it (the replacement) runs normally.
 */
function injectFault(kind: JobKind, at: 'start' | 'progress'): void {
  const fault = process.env.ETUDE_TEST_FAULT?.split(':');
  if (!fault || fault[1] !== kind || Number(fault[2]) !== started.get(kind) || at !== (kind === 'train' ? 'progress' : 'start')) return;
  const marker = fault.slice(3).join(':');
  if (!marker || fs.existsSync(marker)) return;
  fs.writeFileSync(marker, fault[0]!);
  if (fault[0] === 'abort') throw new WebAssembly.RuntimeError('Aborted(). Build with -sASSERTIONS for more info.');
  if (fault[0] === 'exit') process.exit(134);
  if (fault[0] === 'hang') {
    const until = Date.now() + 120_000;
    while (Date.now() < until) {
      // blocks the thread: no control message gets in
    }
  }
}

/** An error after which this runtime cannot be trusted: a WebAssembly abort or an exhausted heap. */
function isFatal(err: unknown): boolean {
  return err instanceof WebAssembly.RuntimeError || (err instanceof Error && isOutOfMemory(err.message));
}

async function run(message: Extract<ToWorker, { type: 'request' }>): Promise<void> {
  const control = new JobControl();
  controls.set(message.id, control);
  let store: Store | null = null;
  try {
    const info = await backend!;
    started.set(message.kind, (started.get(message.kind) ?? 0) + 1);
    injectFault(message.kind, 'start');
    store = Store.open(message.db.path, { mustExist: true, ...(message.db.nativeBinding ? { nativeBinding: message.db.nativeBinding } : {}) });
    const runner = RUNNERS[message.kind] as unknown as JobRunner<'train'>;
    const value = await runner(message.input as never, { store, backend: info, control: control as JobControl<'pause'>, models, progress: (progress) => {
        injectFault(message.kind, 'progress');
        send({ type: 'progress', id: message.id, progress });
      },
    });
    send({ type: 'result', id: message.id, value });
  } catch (err) {
    send({ type: 'failure', id: message.id, error: toErrorData(err), ...(isFatal(err) ? { fatal: true } : {}) });
  } finally {
    store?.close();
    controls.delete(message.id);
  }
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'init':
      models.setBudget(message.modelCacheMb * 2 ** 20);
      backend = selectBackend(parseBackendPreference(message.backend), { native: message.native });
      backend.then(
        (info) => send({ type: 'ready', backend: info }),
        (err: unknown) => send({ type: 'init-failed', error: toErrorData(err) }),
      );
      break;
    case 'request':
      // Jobs interleave: each yields to the event loop between its steps, so controls get in.
      void run(message);
      break;
    case 'memory':
      // Answered between a job's steps like a control: a probe never waits for a job to end.
      void backend?.then(
        () => send({ type: 'memory', id: message.id, memory: workerMemory(models.size) }),
        () => undefined,
      );
      break;
    case 'control':
      controls.get(message.id)?.set(message.control);
      break;
    case 'shutdown':
      port!.close();
      break;
  }
});
