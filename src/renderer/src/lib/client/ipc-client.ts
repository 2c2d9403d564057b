import type { EtudeBridge, MethodName } from '../../../../shared/api';
import { EtudeError } from '../../../../shared/errors';
import { isReply, unwrapReply } from '../../../../shared/reply';
import { EventListeners } from './listeners';
import type { StudioClient } from './types';

/** The desktop app's client: `window.etude` from the preload, over Electron IPC. */
export function createIpcClient(bridge: EtudeBridge): StudioClient {
  const listeners = new EventListeners();
  bridge.onEvent((message) => listeners.dispatch(message));
  return {
    transport: 'ipc',
    connection: 'open',
    async call(method: MethodName, input: unknown) {
      const reply: unknown = await bridge.call(method, input);
      if (!isReply(reply)) throw new EtudeError('internal', `malformed reply to ${method}`);
      return unwrapReply(reply) as never;
    },
    on: (event, listener) => listeners.add(event, listener),
    onConnection: (listener) => {
      listener('open');
      return () => {};
    },
  };
}
