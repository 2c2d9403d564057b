/**
 * The long-lived worker that owns the TF.js runtime. Native tfjs-node cannot be loaded in a second
 * worker of one process (tfjs #2079, #8388), so there is one of these per engine, running every
 * training job in turn.
 */
import { parentPort } from 'node:worker_threads';
import type { BackendInfo } from '../../shared/api';
import { parseBackendPreference, selectBackend } from '../tf/backend';
import { JobControl, runTraining } from '../train/trainer';
import { runGeneration } from '../generate/job';
import { evaluateCheckpoint } from '../train/evaluate';
import type { FromTfWorker, ToTfWorker } from './protocol';

const port = parentPort;
if (!port) throw new Error('tf-worker must run in a worker thread');

function send(message: FromTfWorker): void {
  port!.postMessage(message);
}

let backend: Promise<BackendInfo> | null = null;
const controls = new Map<number, JobControl>();
const cancelledGenerations = new Set<string>();

port.on('message', (message: ToTfWorker) => {
  switch (message.type) {
    case 'init':
      backend = selectBackend(parseBackendPreference(message.backend), { native: message.native ?? true });
      backend.then(
        (info) => send({ type: 'ready', backend: info }),
        (err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
      );
      break;
    case 'train': {
      const control = new JobControl();
      controls.set(message.job.runId, control);
      void (async () => {
        try {
          await runTraining(message.job, await backend!, control, send);
        } catch (err) {
          // runTraining reports its own failures; this is a last resort so the queue never stalls.
          send({ type: 'train.done', runId: message.job.runId, status: 'failed', message: err instanceof Error ? err.message : String(err) });
        } finally {
          controls.delete(message.job.runId);
        }
      })();
      break;
    }
    case 'generate': {
      // Runs alongside a training job: both yield to the event loop between steps, so they interleave.
      const { jobId } = message.job;
      void (async () => {
        await backend;
        await runGeneration(message.job, () => cancelledGenerations.has(jobId), send);
        cancelledGenerations.delete(jobId);
      })();
      break;
    }
    case 'evaluate': {
      const { jobId, dbPath, checkpointId, nativeBinding } = message;
      void (async () => {
        await backend;
        try {
          send({ type: 'evaluate.done', jobId, result: await evaluateCheckpoint(dbPath, checkpointId, nativeBinding) });
        } catch (err) {
          send({ type: 'evaluate.failed', jobId, message: err instanceof Error ? err.message : String(err) });
        }
      })();
      break;
    }
    case 'generate.cancel':
      cancelledGenerations.add(message.jobId);
      break;
    case 'control':
      controls.get(message.runId)?.set(message.control);
      break;
    case 'shutdown':
      port!.close();
      break;
  }
});
