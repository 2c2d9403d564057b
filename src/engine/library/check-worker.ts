/**
 * Checks the library in a thread of its own, so neither the quick check at open nor the full
 * check (which reads every checkpoint's bytes) holds up the studio. One request, one answer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Store, type LibraryCheck } from '../store/store';
import { isCorruption } from '../store/health';

export interface CheckRequest {
  file: string;
  nativeBinding?: string;
  kind: 'quick' | 'full';
}

export type CheckAnswer =
  | { type: 'quick'; ok: boolean; problems: string[]; seconds: number }
  | { type: 'full'; check: LibraryCheck }
  | { type: 'unreadable'; message: string };

const port = parentPort;
if (!port) throw new Error('the library check must run in a worker thread');

const request = workerData as CheckRequest;
let answer: CheckAnswer;
let store: Store | null = null;
try {
  // Read-only: the check writes nothing, not even to a library it finds damaged.
  store = Store.openReadOnly(request.file, request.nativeBinding ? { nativeBinding: request.nativeBinding } : {});
  if (request.kind === 'quick') answer = { type: 'quick', ...store.quickCheck() };
  else answer = { type: 'full', check: store.checkLibrary() };
} catch (err) {
  answer = { type: 'unreadable', message: isCorruption(err) ? 'the file cannot be opened as a database' : err instanceof Error ? err.message : String(err) };
} finally {
  store?.close();
}
port.postMessage(answer);
