/**
 * A worker that owns a TF.js runtime and runs the engine's jobs: training runs, generations,
 * evaluations. The engine starts two (training on every core, generation on one thread); native
 * tfjs-node cannot be loaded in a second worker of one process (tfjs #2079, #8388), so where it is
 * forced both roles share one. Everything in this folder runs inside such a worker.
 */
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

async function run(message: Extract<ToWorker, { type: 'request' }>): Promise<void> {
  const control = new JobControl();
  controls.set(message.id, control);
  let store: Store | null = null;
  try {
    const info = await backend!;
    store = Store.open(message.db.path, { mustExist: true, ...(message.db.nativeBinding ? { nativeBinding: message.db.nativeBinding } : {}) });
    const runner = RUNNERS[message.kind] as unknown as JobRunner<'train'>;
    const value = await runner(message.input as never, { store, backend: info, control: control as JobControl<'pause'>, progress: (progress) => send({ type: 'progress', id: message.id, progress }) });
    send({ type: 'result', id: message.id, value });
  } catch (err) {
    send({ type: 'failure', id: message.id, error: toErrorData(err) });
  } finally {
    store?.close();
    controls.delete(message.id);
  }
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'init':
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
    case 'control':
      controls.get(message.id)?.set(message.control);
      break;
    case 'shutdown':
      port!.close();
      break;
  }
});
