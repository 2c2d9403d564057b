/** Error kinds every transport maps to; callers branch on `kind`, never on message text. */
export const ERROR_KINDS = [
  'unknown_method',
  'invalid_input',
  'not_found',
  'conflict',
  'unavailable',
  'cancelled',
  'invalid_database',
  'internal',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface ErrorIssue {
  path: string;
  message: string;
}

/** The plain-JSON form of an error, as it crosses IPC, HTTP and WebSocket. */
export interface ApiErrorData {
  kind: ErrorKind;
  message: string;
  issues?: ErrorIssue[];
}

export class EtudeError extends Error {
  readonly kind: ErrorKind;
  readonly issues: ErrorIssue[] | undefined;

  constructor(kind: ErrorKind, message: string, issues?: ErrorIssue[]) {
    super(message);
    this.name = 'EtudeError';
    this.kind = kind;
    this.issues = issues;
  }

  toData(): ApiErrorData {
    return this.issues ? { kind: this.kind, message: this.message, issues: this.issues } : { kind: this.kind, message: this.message };
  }

  static fromData(data: ApiErrorData): EtudeError {
    return new EtudeError(data.kind, data.message, data.issues);
  }
}

export function isErrorKind(value: unknown): value is ErrorKind {
  return typeof value === 'string' && (ERROR_KINDS as readonly string[]).includes(value);
}

/** What a musician is told when the library's disk is full (SQLite's SQLITE_FULL, the file system's ENOSPC). */
export const DISK_FULL = 'the disk holding your Etude library is full';

/** Anything thrown becomes ApiErrorData; unexpected errors keep their message but are marked internal. */
export function toErrorData(err: unknown): ApiErrorData {
  if (err instanceof EtudeError) return err.toData();
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return { kind: 'unavailable', message: `${DISK_FULL}: free some space and try again; nothing was changed` };
  if (err instanceof Error) return { kind: 'internal', message: err.message || err.name };
  return { kind: 'internal', message: String(err) };
}
