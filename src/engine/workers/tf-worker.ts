/**
 * The long-lived worker that owns the TF.js runtime. Native tfjs-node cannot be loaded in a second
 * worker of one process (tfjs #2079, #8388), so there is one of these per engine, reused by every job.
 */
import { parentPort } from 'node:worker_threads';
import { parseBackendPreference, selectBackend } from '../tf/backend';
import type { FromTfWorker, ToTfWorker } from './protocol';

const port = parentPort;
if (!port) throw new Error('tf-worker must run in a worker thread');

function send(message: FromTfWorker): void {
  port!.postMessage(message);
}

port.on('message', (message: ToTfWorker) => {
  if (message.type === 'init') {
    (async () => {
      try {
        send({ type: 'ready', backend: await selectBackend(parseBackendPreference(message.backend)) });
      } catch (err) {
        send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
      }
    })();
  } else if (message.type === 'shutdown') {
    port!.close();
  }
});
