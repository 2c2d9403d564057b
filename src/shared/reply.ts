import { EtudeError, type ApiErrorData } from './errors';

/** Every method answers with a Reply, on every transport: no exceptions cross a boundary. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: ApiErrorData };

export function unwrapReply<T>(reply: Reply<T>): T {
  if (reply.ok) return reply.value;
  throw EtudeError.fromData(reply.error);
}

/** Shape check for replies arriving from an untrusted channel (socket, fetch). */
export function isReply(value: unknown): value is Reply<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (v.ok === true) return 'value' in v;
  if (v.ok === false) return typeof v.error === 'object' && v.error !== null;
  return false;
}
