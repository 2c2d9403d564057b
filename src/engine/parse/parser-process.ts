/**
 * The process that reads imported files (MIDI and ABC), apart from the engine: a file that
 * crashes the reader (a V8 abort deep in abcjs), hangs it or bloats it costs only this process,
 * which the engine starts again for the next file. One request at a time, over IPC.
 *
 * It also ends itself: a reader deep in one file does not see its event loop again until the file
 * is done, so a watchdog thread (its own event loop) kills the process when the file's deadline
 * passes or when the engine that started it has gone (kill -9 leaves no one to kill the reader).
 */
import { Worker } from 'node:worker_threads';
import { toErrorData } from '../../shared/errors';
import { readFile } from './read-file';
import type { FromParser, ToParser } from './protocol';

/** Milliseconds since the epoch by which the file being read must be done; 0 while idle. */
const deadline = new Float64Array(new SharedArrayBuffer(8));

const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const deadline = new Float64Array(workerData.deadline);
setInterval(() => {
  const late = deadline[0] > 0 && Date.now() > deadline[0];
  if (late || process.ppid !== workerData.parent) process.kill(process.pid, 'SIGKILL');
}, 250);
`;
new Worker(WATCHDOG, { eval: true, workerData: { deadline: deadline.buffer, parent: process.ppid } }).unref();

function send(message: FromParser): void {
  process.send?.(message);
}

// The engine closed the channel (it exited, or let this reader go): nothing is left to read for.
process.on('disconnect', () => process.exit(0));

process.on('message', (message: ToParser) => {
  if (message.type !== 'read') return;
  // A little after the engine's own limit, which normally ends the file first and says why.
  deadline[0] = Date.now() + (message.seconds + 2) * 1000;
  try {
    const pieces = readFile(message.name, message.bytes, (done) => send({ type: 'alive', id: message.id, done }));
    send({ type: 'pieces', id: message.id, pieces });
  } catch (err) {
    send({ type: 'failed', id: message.id, error: toErrorData(err) });
  } finally {
    deadline[0] = 0;
  }
});
send({ type: 'ready' });
