/**
 * Opening the library when its disk is full. SQLite cannot start a WAL database then (its -shm
 * index cannot grow: "disk I/O error"), so the studio would not open at all and a musician could
 * not even browse, or delete a model to make room. In exclusive locking mode SQLite keeps the WAL
 * index in memory instead, so the library opens for reading; a write is refused as the disk is
 * full, and succeeds again once space is freed.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { EtudeError } from '../../shared/errors';
import { DISK_FULL, freeBytes } from './disk';
import { latestVersion, MIGRATIONS } from './migrations/index';
import type { OpenOptions } from './database';

/** Under this much free space, a failure to open is the disk's. */
const FULL_BYTES = 16 * 2 ** 20;

export const READ_ONLY = `${DISK_FULL}, so the studio opened it read-only: browse and play as usual; free some space, then restart Etude to import, train and generate again`;

function isOpenFailureOfAFullDisk(err: unknown, file: string): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(code === 'SQLITE_FULL' || code === 'ENOSPC' || code.startsWith('SQLITE_IOERR'))) return false;
  const free = freeBytes(file);
  return free !== null && free < FULL_BYTES && fs.existsSync(file);
}

/** The library opened for reading after `err` stopped the usual open, when the disk is full; else null (the error stands). */
export function openWhenDiskFull(file: string, options: OpenOptions, err: unknown): Database.Database | null {
  if (!isOpenFailureOfAFullDisk(err, file)) return null;
  const db = new Database(file, { fileMustExist: true, nativeBinding: options.nativeBinding });
  try {
    db.pragma('locking_mode = EXCLUSIVE'); // before the first read: the WAL index lives in memory, no -shm to grow
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== latestVersion(options.migrations ?? MIGRATIONS)) {
      throw new EtudeError('unavailable', `${DISK_FULL}: this version of Etude must update the library before it opens it, and that needs room; free some space and start Etude again`);
    }
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
