/**
 * Restoring from inside the studio: the library cannot be swapped while the studio holds it open,
 * so the studio asks for a restore and the next start carries it out before anything opens the
 * library (the desktop app's engine host, `etude serve`, every CLI command). The request is a small
 * file beside the library naming the backup; the backup is checked when asked and again when
 * applied, and the library as it was is kept as a backup first (restoreLibrary).
 */
import fs from 'node:fs';
import path from 'node:path';
import { EtudeError } from '../../shared/errors';
import { listBackups } from './backups';
import { newestCleanBackup, restorable, restoreLibrary } from './restore';

export interface PendingRestore {
  /** The backup to restore (a file in the library's backups folder). */
  from: string;
  /** ISO time it was asked for. */
  askedAt: string;
}

function markerOf(dbPath: string): string {
  return `${dbPath}.restore-pending.json`;
}

export function pendingRestore(dbPath: string): PendingRestore | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(markerOf(dbPath), 'utf8')) as Partial<PendingRestore>;
    return typeof parsed.from === 'string' && typeof parsed.askedAt === 'string' ? { from: parsed.from, askedAt: parsed.askedAt } : null;
  } catch {
    return null;
  }
}

/**
 * Asks for a restore at the next start: `newest` (the newest backup that checks clean) or the file
 * name of one of the library's own backups (nothing outside its backups folder).
 */
export function requestRestore(dbPath: string, which: string, nativeBinding?: string): PendingRestore {
  let from: string | null;
  if (which === 'newest') {
    from = newestCleanBackup(dbPath, nativeBinding);
    if (!from) throw new EtudeError('invalid_input', 'no backup of this library checks clean, so there is nothing to restore');
  } else {
    from = listBackups(dbPath).find((b) => path.basename(b.file) === which)?.file ?? null;
    if (!from) throw new EtudeError('invalid_input', `"${which}" is not one of this library's backups`);
    const refusal = restorable(from, nativeBinding);
    if (refusal) throw new EtudeError('invalid_input', `That backup cannot be restored: ${refusal}`);
  }
  const pending = { from, askedAt: new Date().toISOString() };
  const marker = markerOf(dbPath);
  // Written whole or not at all: a half-written request is never read as one.
  fs.writeFileSync(`${marker}.partial`, JSON.stringify(pending));
  fs.renameSync(`${marker}.partial`, marker);
  return pending;
}

export function cancelRestore(dbPath: string): void {
  fs.rmSync(markerOf(dbPath), { force: true });
}

/**
 * Carries out a restore asked for before, if any, before the library is opened. A backup that no
 * longer checks clean is refused and the library left as it was; either way the request is done.
 */
export async function applyPendingRestore(dbPath: string, nativeBinding?: string): Promise<{ restored: string; keptAs: string | null } | { refused: string } | null> {
  const pending = pendingRestore(dbPath);
  if (!pending) {
    // A request that cannot be read is no request.
    if (fs.existsSync(markerOf(dbPath))) cancelRestore(dbPath);
    return null;
  }
  try {
    return await restoreLibrary(dbPath, pending.from, nativeBinding);
  } catch (err) {
    return { refused: err instanceof Error ? err.message : String(err) };
  } finally {
    cancelRestore(dbPath);
  }
}
