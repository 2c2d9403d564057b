import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { EtudeError } from '../../shared/errors';
import { latestVersion, migrate, MIGRATIONS, type Migration } from './migrations/index';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export interface OpenOptions {
  /** Path to a better-sqlite3 binary built for this runtime's ABI (the desktop app passes Electron's). */
  nativeBinding?: string;
  migrations?: readonly Migration[];
  /** Workers join the studio's database: if it has gone, they must fail, not create an empty one. */
  mustExist?: boolean;
}

/**
 * Checks the file before SQLite touches it: a file that is not SQLite, a foreign SQLite database,
 * or one written by a newer Etude is refused and left byte-for-byte as it was.
 */
function inspectExisting(file: string, options: OpenOptions, latest: number): void {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return; // does not exist yet: it will be created
  }
  if (size === 0) return; // an empty file is a fresh database to SQLite
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, header, 0, header.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (!header.equals(SQLITE_HEADER)) {
    throw new EtudeError('invalid_database', `${file} is not an SQLite database; Etude left it untouched`);
  }
  const probe = new Database(file, { readonly: true, fileMustExist: true, nativeBinding: options.nativeBinding });
  try {
    const version = probe.pragma('user_version', { simple: true }) as number;
    const tables = probe
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all() as string[];
    if (version > latest) {
      throw new EtudeError(
        'invalid_database',
        `${file} was written by a newer Etude (schema ${version}, this version knows up to ${latest}); update Etude to open it`,
      );
    }
    if (tables.length > 0 && !tables.includes('schema_version')) {
      throw new EtudeError('invalid_database', `${file} is an SQLite database of another application; Etude left it untouched`);
    }
  } finally {
    probe.close();
  }
}

/** Opens (creating if needed) the studio database with WAL, foreign keys and all migrations applied. */
export function openDatabase(file: string, options: OpenOptions = {}): Database.Database {
  const migrations = options.migrations ?? MIGRATIONS;
  if (options.mustExist && !fs.existsSync(file)) throw new EtudeError('invalid_database', `the studio database ${file} no longer exists`);
  inspectExisting(file, options, latestVersion(migrations));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { nativeBinding: options.nativeBinding });
  try {
    // A new database returns the pages of deleted models (checkpoints are large) to the disk; only takes effect before the first table.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL'); // safe with WAL: a crash loses at most the last commits, never integrity
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
