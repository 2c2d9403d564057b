export const ELECTRON_SQLITE_BINDING: string;
export function electronBinary(): string | null;
export function ensureElectron(options?: { fetch?: boolean }): Promise<
  { ok: true; electron: string; sqliteBinding: string } | { ok: false; reason: string }
>;
