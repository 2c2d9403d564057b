/** Messages between a shell (the desktop app) and the engine running in a process of its own. */
import type { EventMessage } from '../../shared/api';
import type { ApiErrorData } from '../../shared/errors';
import type { Reply } from '../../shared/reply';
import type { EngineOptions } from '../engine';

export type ToEngineHost =
  | { type: 'open'; options: EngineOptions }
  | { type: 'call'; id: number; method: unknown; input: unknown }
  | { type: 'close' };

export type FromEngineHost =
  | { type: 'opened' }
  | { type: 'open-failed'; error: ApiErrorData }
  | { type: 'reply'; id: number; reply: Reply<unknown> }
  | { type: 'event'; message: EventMessage }
  | { type: 'closed' };

/** A two-way channel to the host process, whatever starts it (Electron's utilityProcess, Node's fork). */
export interface HostChannel {
  send(message: ToEngineHost): void;
  onMessage(listener: (message: FromEngineHost) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}
