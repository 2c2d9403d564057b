/** Messages between the engine and its file-reading process. */
import type { ApiErrorData } from '../../shared/errors';
import type { FilePiece } from './read-file';

/** `seconds`: the most the whole file may take; the reader ends itself past it. */
export type ToParser = { type: 'read'; id: number; name: string; bytes: Uint8Array; seconds: number };

export type FromParser =
  | { type: 'ready' }
  /** A tune book makes progress: the time limit counts from the last sign of life. */
  | { type: 'alive'; id: number; done: number }
  | { type: 'pieces'; id: number; pieces: FilePiece[] }
  | { type: 'failed'; id: number; error: ApiErrorData };
