import type { MethodName } from '../../../../shared/api';
import { EtudeError } from '../../../../shared/errors';
import { isReply, unwrapReply } from '../../../../shared/reply';
import { EventListeners } from './listeners';
import type { ConnectionState, StudioClient } from './types';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  method: string;
}

const RETRY_MS = [250, 500, 1000, 2000, 4000];

/**
 * The web studio's client: one WebSocket for calls and pushed events. Authenticated by the
 * HttpOnly cookie the server set when the page was opened with its token. Reconnects by itself;
 * calls made while disconnected wait for the connection.
 */
export function createWebSocketClient(url: string): StudioClient {
  const listeners = new EventListeners();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  const pending = new Map<number, Pending>();
  const outbox: string[] = [];
  let nextId = 1;
  let attempt = 0;
  let socket: WebSocket | null = null;
  let state: ConnectionState = 'connecting';

  function setState(next: ConnectionState): void {
    state = next;
    for (const listener of connectionListeners) listener(next);
  }

  function connect(): void {
    setState('connecting');
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      setState('open');
      for (const frame of outbox.splice(0)) ws.send(frame);
    };
    ws.onmessage = (event) => {
      let frame: unknown;
      try {
        frame = JSON.parse(String(event.data));
      } catch {
        return;
      }
      const f = frame as { type?: string; id?: number; reply?: unknown; event?: string; payload?: unknown };
      if (f.type === 'event') listeners.dispatch(f as never);
      else if (f.type === 'reply' && typeof f.id === 'number') {
        const call = pending.get(f.id);
        if (!call) return;
        pending.delete(f.id);
        if (!isReply(f.reply)) call.reject(new EtudeError('internal', `malformed reply to ${call.method}`));
        else {
          try {
            call.resolve(unwrapReply(f.reply));
          } catch (err) {
            call.reject(err as Error);
          }
        }
      }
    };
    ws.onclose = () => {
      socket = null;
      for (const [id, call] of pending) {
        pending.delete(id);
        call.reject(new EtudeError('unavailable', `connection to the engine was lost during ${call.method}`));
      }
      setState('closed');
      const delay = RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]!;
      setTimeout(connect, delay);
    };
  }

  connect();

  return {
    transport: 'websocket',
    get connection() {
      return state;
    },
    call(method: MethodName, input: unknown) {
      const id = nextId++;
      const frame = JSON.stringify({ id, method, input });
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject, method });
        if (socket && socket.readyState === WebSocket.OPEN) socket.send(frame);
        else outbox.push(frame);
      }) as never;
    },
    on: (event, listener) => listeners.add(event, listener),
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(state);
      return () => connectionListeners.delete(listener);
    },
  };
}
