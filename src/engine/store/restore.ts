import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { EtudeError } from '../../shared/errors';
import { backupsDir, listBackups } from './backups';
import { ETUDE_APPLICATION_ID } from './database';
import { isCorruption, quickCheck } from './health';
import { latestVersion } from './migrations/index';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** Why a file cannot be restored from, or null when it is a clean Etude library this version can open. */
export function restorable(file: string, nativeBinding?: string): string | null {
  if (!fs.existsSync(file)) return `${file} does not exist`;
  const header = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  const read = fs.readSync(fd, header, 0, 100, 0);
  fs.closeSync(fd);
  if (read < 100 || !header.subarray(0, 16).equals(SQLITE_HEADER)) return `${file} is not an Etude library (not an SQLite database)`;
  if (header.readUInt32BE(68) !== ETUDE_APPLICATION_ID) return `${file} is not an Etude library`;
  if (header.readUInt32BE(60) > latestVersion()) return `${file} was written by a newer Etude; update Etude to restore it`;
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) });
    const check = quickCheck(db);
    return check.ok ? null : `${file} is damaged itself (${check.problems[0] ?? 'it does not check clean'})`;
  } catch (err) {
    if (isCorruption(err)) return `${file} is damaged itself`;
    throw err;
  } finally {
    db?.close();
  }
}

/** The newest backup in the library's `backups` folder that checks clean, or null. */
export function newestCleanBackup(dbPath: string, nativeBinding?: string): string | null {
  for (const b of listBackups(dbPath)) if (restorable(b.file, nativeBinding) === null) return b.file;
  return null;
}

/**
 * Keeps the library as it is now as a backup, before it is replaced: an online copy where it still
 * reads, else its bytes as they are (with its -wal), so even a damaged library is never thrown away.
 */
async function keepCurrent(dbPath: string, nativeBinding?: string): Promise<string | null> {
  if (!fs.existsSync(dbPath)) return null;
  const dir = backupsDir(dbPath);
  fs.mkdirSync(dir, { recursive: true });
  const target = path.join(dir, `${path.basename(dbPath, path.extname(dbPath))}-${new Date().toISOString().replace(/[:.]/g, '-')}-restore.db`);
  const partial = `${target}.partial`;
  let db: Database.Database | null = null;
  try {
    db = new Database(dbPath, { fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) });
    await db.backup(partial);
  } catch (err) {
    if (!isCorruption(err)) throw err;
    fs.rmSync(partial, { force: true });
    fs.copyFileSync(dbPath, partial);
    if (fs.existsSync(`${dbPath}-wal`)) fs.copyFileSync(`${dbPath}-wal`, `${target}-wal`);
  } finally {
    db?.close();
  }
  fs.renameSync(partial, target);
  return target;
}

/**
 * Replaces the library with a backup: the backup is checked first (a damaged or foreign file is
 * refused and nothing changes), the library as it was is kept as a backup, then the copy is
 * swapped in whole (written beside the library, renamed over it). The studio must not have the
 * library open meanwhile.
 */
export async function restoreLibrary(dbPath: string, from: string, nativeBinding?: string): Promise<{ restored: string; keptAs: string | null }> {
  const source = path.resolve(from);
  if (source === path.resolve(dbPath)) throw new EtudeError('invalid_input', 'that file is the library itself');
  const refusal = restorable(source, nativeBinding);
  if (refusal) throw new EtudeError('invalid_input', `Not restored: ${refusal}. The library was left as it was.`);
  const staged = `${dbPath}.restoring`;
  fs.rmSync(staged, { force: true });
  const reader = new Database(source, { readonly: true, fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) });
  try {
    // Copied before the library is kept, so keeping it (which may remove the oldest backup) cannot take the source away.
    await reader.backup(staged);
  } finally {
    reader.close();
  }
  const keptAs = await keepCurrent(dbPath, nativeBinding);
  // The old library's -wal belongs to it alone: replayed onto the restored file it would damage it.
  fs.rmSync(`${dbPath}-wal`, { force: true });
  fs.rmSync(`${dbPath}-shm`, { force: true });
  fs.renameSync(staged, dbPath);
  // Nothing is pruned here: the copy just kept must not push out a backup the musician may still want.
  return { restored: source, keptAs };
}
