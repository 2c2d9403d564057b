import type { EventMessage } from '../shared/api';
import type { Reply } from '../shared/reply';

/** WebSocket frames: the client sends calls, the server answers by id and pushes events. */
export interface CallFrame {
  id: number;
  method: string;
  input: unknown;
}

export type ServerFrame = { type: 'reply'; id: number | null; reply: Reply<unknown> } | ({ type: 'event' } & EventMessage);

export type ParsedFrame = { ok: true; value: CallFrame } | { ok: false; id: number | null; message: string };

export function parseClientFrame(text: string | null): ParsedFrame {
  if (text === null) return { ok: false, id: null, message: 'binary frames are not accepted' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, id: null, message: 'frame is not JSON' };
  }
  if (typeof value !== 'object' || value === null) return { ok: false, id: null, message: 'frame must be an object' };
  const v = value as Record<string, unknown>;
  const id = typeof v.id === 'number' && Number.isSafeInteger(v.id) ? v.id : null;
  if (id === null) return { ok: false, id: null, message: 'frame needs an integer id' };
  if (typeof v.method !== 'string') return { ok: false, id, message: 'frame needs a method name' };
  return { ok: true, value: { id, method: v.method, input: v.input ?? {} } };
}
