/**
 * The process that reads imported files (MIDI and ABC), apart from the engine: a file that
 * crashes the reader (a V8 abort deep in abcjs), hangs it or bloats it costs only this process,
 * which the engine starts again for the next file. One request at a time, over IPC.
 */
import { toErrorData } from '../../shared/errors';
import { readFile } from './read-file';
import type { FromParser, ToParser } from './protocol';

function send(message: FromParser): void {
  process.send?.(message);
}

process.on('message', (message: ToParser) => {
  if (message.type !== 'read') return;
  try {
    const pieces = readFile(message.name, message.bytes, (done) => send({ type: 'alive', id: message.id, done }));
    send({ type: 'pieces', id: message.id, pieces });
  } catch (err) {
    send({ type: 'failed', id: message.id, error: toErrorData(err) });
  }
});
send({ type: 'ready' });
