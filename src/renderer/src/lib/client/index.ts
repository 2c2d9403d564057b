import { createIpcClient } from './ipc-client';
import type { StudioClient } from './types';
import { createWebSocketClient } from './ws-client';

export type { ConnectionState, StudioClient } from './types';

/** Picks the transport: the preload's bridge in the desktop app, else the server's WebSocket. */
export function createClient(): StudioClient {
  if (window.etude) return createIpcClient(window.etude);
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return createWebSocketClient(`${scheme}//${location.host}/ws`);
}
