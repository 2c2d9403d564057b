/**
 * The engine in a process of its own (the desktop app starts it as an Electron utility process):
 * whatever a file or a job does to this process, the window and its shell stay up, and the shell
 * starts the engine again. Calls and events cross as plain messages.
 */
import { toErrorData } from '../../shared/errors';
import { Engine } from '../engine';
import type { FromEngineHost, ToEngineHost } from './protocol';

interface ParentPort {
  on(event: 'message', listener: (event: { data: ToEngineHost }) => void): void;
  postMessage(message: FromEngineHost): void;
}

/** Electron's utility process talks through `process.parentPort`; a Node child through `process.send`. */
const electronPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const post = (message: FromEngineHost): void => {
  if (electronPort) electronPort.postMessage(message);
  else process.send?.(message);
};
const listen = (listener: (message: ToEngineHost) => void): void => {
  if (electronPort) electronPort.on('message', (event) => listener(event.data));
  else process.on('message', (message: ToEngineHost) => listener(message));
};

let engine: Engine | null = null;

listen((message) => {
  switch (message.type) {
    case 'open':
      void Engine.start(message.options).then(
        (opened) => {
          engine = opened;
          engine.on((event) => post({ type: 'event', message: event }));
          post({ type: 'opened' });
        },
        (err: unknown) => post({ type: 'open-failed', error: toErrorData(err) }),
      );
      break;
    case 'call': {
      const { id } = message;
      if (!engine) {
        post({ type: 'reply', id, reply: { ok: false, error: { kind: 'unavailable', message: 'the engine is not open' } } });
        break;
      }
      void engine.call(message.method, message.input).then((reply) => post({ type: 'reply', id, reply }));
      break;
    }
    case 'close':
      void (engine?.close() ?? Promise.resolve()).finally(() => {
        post({ type: 'closed' });
        process.exit(0);
      });
      break;
  }
});
