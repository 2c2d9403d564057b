/**
 * The one API contract between the engine and every client (renderer over IPC or WebSocket,
 * CLI, tests). Methods are named `area.verb`; each has an input schema validated at the
 * boundary and a result type. Events are pushed from the engine to all clients.
 */
import { z } from 'zod';
import type { Reply } from './reply';

const none = z.object({}).strict();

export const methodInputs = {
  /** Versions, backend, database: what the status bar shows. */
  'engine.info': none,
  /** Liveness check with an optional echo, used by clients to measure round trips. */
  'engine.ping': z.object({ echo: z.string().max(1000).optional() }).strict(),
} as const;

export type MethodName = keyof typeof methodInputs;
export type MethodInput<M extends MethodName> = z.input<(typeof methodInputs)[M]>;
export type ParsedInput<M extends MethodName> = z.output<(typeof methodInputs)[M]>;

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** The TF.js backend the engine's workers train and generate with. */
  name: BackendName;
  threads: number;
  simd: boolean;
  tfjsVersion: string;
  /** Why a faster backend was not used (for example, native TensorFlow is not installed). */
  fallbackReasons: string[];
}

export interface EngineInfo {
  app: { name: 'Etude'; version: string };
  versions: { node: string; electron: string | null; tfjs: string; sqlite: string };
  backend: BackendInfo;
  database: { path: string; schemaVersion: number; latestSchemaVersion: number };
  platform: string;
}

export interface MethodResults {
  'engine.info': EngineInfo;
  'engine.ping': { pong: true; echo: string | null; at: number };
}

export type MethodResult<M extends MethodName> = MethodResults[M];

export interface EngineEvents {
  /** The engine is ready, or closing. */
  'engine.status': { state: 'ready' | 'closing'; at: number };
}

export type EventName = keyof EngineEvents;
export type EventMessage = { [E in EventName]: { event: E; payload: EngineEvents[E] } }[EventName];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methodInputs, name);
}

/** What the renderer (and any other client) programs against; it never knows the transport. */
export interface EtudeClient {
  readonly transport: 'ipc' | 'websocket' | 'direct';
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>>;
  on<E extends EventName>(event: E, listener: (payload: EngineEvents[E]) => void): () => void;
}

/** The narrow surface the Electron preload exposes as `window.etude`. */
export interface EtudeBridge {
  call(method: string, input: unknown): Promise<Reply<unknown>>;
  onEvent(listener: (message: EventMessage) => void): () => void;
}
