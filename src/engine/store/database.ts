import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { EtudeError } from '../../shared/errors';
import { latestVersion, migrate, MIGRATIONS, type Migration } from './migrations/index';
import { backupIfMigrating } from './backups';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export interface OpenOptions {
  /** Path to a better-sqlite3 binary built for this runtime's ABI (the desktop app passes Electron's). */
  nativeBinding?: string;
  migrations?: readonly Migration[];
  /** Workers join the studio's database: if it has gone, they must fail, not create an empty one. */
  mustExist?: boolean;
}

/** "Etud", in the SQLite header's application id: an Etude database says it is one. */
export const ETUDE_APPLICATION_ID = 0x45747564;

/** The SQLite header's fields Etude reads before opening a file (https://sqlite.org/fileformat.html). */
function readHeader(file: string): { magic: boolean; wal: boolean; userVersion: number; applicationId: number } | null {
  const header = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  let read: number;
  try {
    read = fs.readSync(fd, header, 0, header.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (read === 0) return null;
  return {
    magic: read >= SQLITE_HEADER.length && header.subarray(0, SQLITE_HEADER.length).equals(SQLITE_HEADER),
    wal: header[18] === 2 && header[19] === 2,
    userVersion: read >= 64 ? header.readUInt32BE(60) : 0,
    applicationId: read >= 72 ? header.readUInt32BE(68) : 0,
  };
}

/** Tables each early migration made (none dropped since): a legacy file must hold those its ledger records. */
const LEGACY_TABLES: Record<number, readonly string[]> = {
  1: ['schema_version', 'settings'],
  2: ['corpora', 'pieces', 'tracks'],
  3: ['vocabularies', 'vocabulary_tokens', 'encoded_pieces'],
  4: ['models', 'runs', 'metrics', 'checkpoints'],
  5: ['generations'],
};

/**
 * Whether a database that does not say whose it is may be Etude's: only when it holds nothing at
 * all (no table, view, index or trigger: names are compared exactly, never by LIKE, whose `_` is a
 * wildcard and which ignores case), or when its schema ledger records Etude's own migrations by
 * name and the tables those migrations made are there too (a ledger alone is common elsewhere).
 */
function looksLikeEtude(probe: Database.Database, migrations: readonly Migration[]): boolean {
  const objects = probe.prepare('SELECT type, name FROM sqlite_schema').all() as { type: string; name: string }[];
  if (objects.length === 0) return true; // an empty database: Etude may make it its own
  const tables = new Set(objects.filter((o) => o.type === 'table').map((o) => o.name));
  if (!tables.has('schema_version')) return false;
  const ledger = probe.prepare('SELECT version, name FROM schema_version ORDER BY version').all() as { version: unknown; name: unknown }[];
  if (ledger.length === 0 || ledger[0]!.version !== 1) return false;
  for (const row of ledger) {
    const known = migrations.find((m) => m.version === row.version);
    if (known && known.name !== row.name) return false;
    for (const table of LEGACY_TABLES[row.version as number] ?? []) if (!tables.has(table)) return false;
  }
  return true;
}

/**
 * Looks inside a database that does not say whose it is (an Etude database from before the
 * application id), read-only; the -wal and -shm files SQLite makes for the look are removed again
 * if they were not there.
 */
function isLegacyEtude(file: string, options: OpenOptions): boolean {
  const companions = [`${file}-wal`, `${file}-shm`].filter((f) => !fs.existsSync(f));
  const probe = new Database(file, { readonly: true, fileMustExist: true, nativeBinding: options.nativeBinding });
  try {
    return looksLikeEtude(probe, MIGRATIONS);
  } catch {
    return false;
  } finally {
    probe.close();
    for (const f of companions) fs.rmSync(f, { force: true });
  }
}

/**
 * Checks the file before SQLite writes to it: a file that is not SQLite, a foreign SQLite
 * database, or one written by a newer Etude is refused and left byte-for-byte as it was (nor is
 * anything left beside it).
 */
function inspectExisting(file: string, options: OpenOptions, latest: number): void {
  if (!fs.existsSync(file)) return; // it will be created
  const header = readHeader(file);
  if (header === null) return; // an empty file is a fresh database to SQLite
  if (!header.magic) throw new EtudeError('invalid_database', `${file} is not an SQLite database; Etude left it untouched`);
  const ours = header.applicationId === ETUDE_APPLICATION_ID || (header.applicationId === 0 && isLegacyEtude(file, options));
  if (!ours) throw new EtudeError('invalid_database', `${file} is an SQLite database of another application; Etude left it untouched`);
  if (header.userVersion > latest) {
    throw new EtudeError('invalid_database', `${file} was written by a newer Etude (schema ${header.userVersion}, this version knows up to ${latest}); update Etude to open it`);
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
    db.pragma(`application_id = ${ETUDE_APPLICATION_ID}`);
    if (!options.mustExist) backupIfMigrating(db, file, latestVersion(migrations));
    migrate(db, migrations);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
