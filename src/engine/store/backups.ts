import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { EtudeError } from '../../shared/errors';
import type { BackupInfo } from '../../shared/library-care';

/** Why a backup was made; it is part of the file's name, so the list needs no database. */
export const BACKUP_REASONS = ['manual', 'daily', 'training', 'migration', 'restore'] as const;
export type BackupReason = (typeof BACKUP_REASONS)[number];

export type { BackupInfo };

export type BackupOutcome = { made: true; backup: BackupInfo; seconds: number; pruned: string[] } | { made: false; skipped: string };

export const DEFAULT_BACKUPS_KEPT = 5;
/** Room left on the disk beyond the backup itself, so a backup never fills the disk the library lives on. */
const SPARE_BYTES = 64 * 1024 * 1024;
const PARTIAL = '.partial';

/** The `backups` folder beside the library file. */
export function backupsDir(dbPath: string): string {
  return path.join(path.dirname(dbPath), 'backups');
}

function stem(dbPath: string): string {
  return path.basename(dbPath, path.extname(dbPath));
}

/** `etude-2026-12-07T14-02-33-120Z-daily.db`: sortable, and the time and reason are read back from the name. */
function backupName(dbPath: string, at: Date, reason: BackupReason): string {
  return `${stem(dbPath)}-${at.toISOString().replace(/[:.]/g, '-')}-${reason}.db`;
}

const NAME = /-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z)-([a-z]+)\.db$/;

function parseName(name: string): { createdAt: string; reason: BackupReason } | null {
  const m = NAME.exec(name);
  if (!m || !(BACKUP_REASONS as readonly string[]).includes(m[2]!)) return null;
  const [date, time] = m[1]!.split('T') as [string, string];
  const [h, min, s, ms] = time.replace('Z', '').split('-');
  return { createdAt: `${date}T${h}:${min}:${s}.${ms}Z`, reason: m[2] as BackupReason };
}

/** The library's backups in its `backups` folder, newest first. A backup cut short (`.partial`) is not one. */
export function listBackups(dbPath: string): BackupInfo[] {
  const dir = backupsDir(dbPath);
  if (!fs.existsSync(dir)) return [];
  const prefix = `${stem(dbPath)}-`;
  const found: BackupInfo[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const parsed = parseName(name);
    if (!parsed) continue;
    const file = path.join(dir, name);
    try {
      found.push({ file, bytes: fs.statSync(file).size, ...parsed });
    } catch {
      // removed while we looked
    }
  }
  return found.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Removes the oldest backups beyond `keep`, and any a killed backup left half-written. */
export function pruneBackups(dbPath: string, keep: number): string[] {
  const removed: string[] = [];
  for (const b of listBackups(dbPath).slice(Math.max(1, keep))) {
    fs.rmSync(b.file, { force: true });
    removed.push(b.file);
  }
  const dir = backupsDir(dbPath);
  if (fs.existsSync(dir)) {
    // A partial copy not written to for ten minutes belongs to a backup that was killed, not one under way.
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      if (name.endsWith(PARTIAL) && Date.now() - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 10 * 60_000) fs.rmSync(file, { force: true });
    }
  }
  return removed;
}

/** Bytes a copy of the library needs: its pages in use (the free list is not copied by VACUUM INTO; the online backup copies it, so count it too). */
function libraryBytes(db: Database.Database): number {
  const pages = db.pragma('page_count', { simple: true }) as number;
  const size = db.pragma('page_size', { simple: true }) as number;
  return pages * size;
}

/** Why there is no room for a backup in `dir`, or null when there is. */
export function lackOfRoom(dir: string, needed: number, spare = SPARE_BYTES): string | null {
  let free: number;
  try {
    const s = fs.statfsSync(dir);
    free = s.bavail * s.bsize;
  } catch {
    return null; // cannot tell: try, and let a failed write say so
  }
  if (free >= needed + spare) return null;
  const mb = (n: number) => `${Math.max(0, Math.round(n / 1e6)).toLocaleString('en')} MB`;
  return `the disk holding ${dir} has ${mb(free)} free and a backup of the library needs about ${mb(needed + spare)}`;
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Copies the library with SQLite's online backup (better-sqlite3's `db.backup()`, a hundred pages a
 * step between other work, so the studio goes on answering). The copy is written as `.partial`
 * and renamed only when whole, so a backup killed midway leaves the library and every earlier
 * backup as they were. Into the `backups` folder (then the oldest beyond `keep` are removed), or
 * to a file of the musician's choosing (never over an existing one).
 */
export async function backupLibrary(
  db: Database.Database,
  dbPath: string,
  options: { reason: BackupReason; keep: number; to?: string; /** Room to leave free on the disk beyond the copy (default 64 MB). */ spareBytes?: number },
): Promise<BackupOutcome> {
  const started = performance.now();
  const at = new Date();
  const target = options.to ? path.resolve(options.to) : path.join(backupsDir(dbPath), backupName(dbPath, at, options.reason));
  if (options.to && fs.existsSync(target)) throw new EtudeError('conflict', `${target} already exists; Etude does not overwrite it`);
  if (path.resolve(target) === path.resolve(dbPath)) throw new EtudeError('invalid_input', 'a backup cannot be written over the library itself');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const room = lackOfRoom(path.dirname(target), libraryBytes(db), options.spareBytes);
  if (room) return { made: false, skipped: `Backup skipped: ${room}.` };
  const partial = target + PARTIAL;
  fs.rmSync(partial, { force: true });
  try {
    await db.backup(partial);
    fsyncFile(partial);
    fs.renameSync(partial, target);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'SQLITE_FULL') return { made: false, skipped: `Backup skipped: the disk holding ${path.dirname(target)} is full.` };
    throw err;
  }
  const pruned = options.to ? [] : pruneBackups(dbPath, options.keep);
  const backup: BackupInfo = { file: target, createdAt: at.toISOString(), bytes: fs.statSync(target).size, reason: options.reason };
  return { made: true, backup, seconds: (performance.now() - started) / 1000, pruned };
}

/**
 * Before a schema migration, a copy of the library as it was (synchronous: the database is being
 * opened, nothing else is using it yet). VACUUM INTO writes a consistent, compact copy; a library
 * too big for the disk is migrated without one, with a warning.
 */
export function backupBeforeMigration(db: Database.Database, dbPath: string, keep: number): string | null {
  const dir = backupsDir(dbPath);
  fs.mkdirSync(dir, { recursive: true });
  const room = lackOfRoom(dir, libraryBytes(db));
  if (room) {
    console.warn(`[store] no backup before the schema update: ${room}`);
    return null;
  }
  const target = path.join(dir, backupName(dbPath, new Date(), 'migration'));
  const partial = target + PARTIAL;
  fs.rmSync(partial, { force: true });
  db.prepare('VACUUM INTO ?').run(partial);
  fsyncFile(partial);
  fs.renameSync(partial, target);
  pruneBackups(dbPath, keep);
  return target;
}

/** The number of backups kept in the folder (the `backups.keep` setting), read before the store opens. */
export function backupsKept(db: Database.Database): number {
  const hasSettings = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'settings'").pluck().get() !== undefined;
  const value = hasSettings ? (db.prepare("SELECT value FROM settings WHERE key = 'backups.keep'").pluck().get() as string | undefined) : undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? n : DEFAULT_BACKUPS_KEPT;
}

/** A library about to be migrated (one with a schema older than this Etude's) is copied first. */
export function backupIfMigrating(db: Database.Database, dbPath: string, latest: number): string | null {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current === 0 || current >= latest) return null;
  return backupBeforeMigration(db, dbPath, backupsKept(db));
}
