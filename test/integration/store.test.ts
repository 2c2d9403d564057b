import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/engine/store/store';
import { latestVersion } from '../../src/engine/store/migrations/index';
import { EtudeError } from '../../src/shared/errors';
import { tempDir } from '../helpers/tmp';
import { rawDb } from '../helpers/sqlite';

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function expectRefused(file: string, pattern: RegExp): void {
  const before = sha(file);
  const size = fs.statSync(file).size;
  let thrown: unknown;
  try {
    Store.open(file).close();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(EtudeError);
  expect((thrown as EtudeError).kind).toBe('invalid_database');
  expect((thrown as EtudeError).message).toMatch(pattern);
  expect(fs.statSync(file).size).toBe(size);
  expect(sha(file)).toBe(before);
}

describe('store on a real SQLite file', () => {
  it('creates the database with WAL, foreign keys and the schema ledger', () => {
    const file = path.join(tempDir(), 'nested', 'dir', 'etude.db');
    const store = Store.open(file);
    expect(fs.existsSync(file)).toBe(true);
    expect(store.connection()).toEqual({ journalMode: 'wal', foreignKeys: true });
    expect(rawDb(file).pragma('journal_mode', { simple: true })).toBe('wal'); // WAL is the file's, not only the store's connection's
    expect(store.schemaVersion()).toBe(latestVersion());
    expect(store.appliedMigrations().map((m) => m.version)).toEqual([...Array(latestVersion())].map((_, i) => i + 1));
    store.setSetting('theme', 'dark');
    store.close();

    const again = Store.open(file);
    expect(again.getSetting('theme')).toBe('dark');
    expect(again.getSetting('missing')).toBeNull();
    expect(again.appliedMigrations()).toHaveLength(latestVersion());
    again.close();
  });

  it('refuses a file that is not SQLite and leaves it untouched', () => {
    const file = path.join(tempDir(), 'song.db');
    fs.writeFileSync(file, 'MThd\0\0\0\x06 this is a MIDI file, not a database');
    expectRefused(file, /not an SQLite database/);
  });

  it('refuses a database from a newer Etude and leaves it untouched', () => {
    const file = path.join(tempDir(), 'future.db');
    Store.open(file).close();
    const raw = new Database(file);
    raw.pragma('journal_mode = DELETE'); // fold the WAL back so the main file holds everything
    raw.pragma(`user_version = ${latestVersion() + 5}`);
    raw.close();
    expectRefused(file, /newer Etude \(schema \d+/);
  });

  it("refuses another application's SQLite database", () => {
    const file = path.join(tempDir(), 'other.db');
    const raw = new Database(file);
    raw.exec('CREATE TABLE contacts (name TEXT)');
    raw.close();
    expectRefused(file, /another application/);
  });

  it("refuses another application's database even when it has a schema_version table of its own", () => {
    const file = path.join(tempDir(), 'lookalike.db');
    const raw = new Database(file);
    raw.exec("CREATE TABLE schema_version (version INTEGER, name TEXT); INSERT INTO schema_version VALUES (1, 'create users'); CREATE TABLE users (name TEXT)");
    raw.close();
    expectRefused(file, /another application/);
    expect(fs.existsSync(`${file}-wal`) || fs.existsSync(`${file}-shm`)).toBe(false);
  });

  it("refuses another application's database in WAL mode, leaving nothing beside it", () => {
    const dir = tempDir();
    const file = path.join(dir, 'wal.db');
    const raw = new Database(file);
    raw.pragma('journal_mode = WAL');
    raw.exec('CREATE TABLE notes (text TEXT)');
    raw.close(); // a clean close folds the WAL back and removes its files
    expect(fs.readdirSync(dir)).toEqual(['wal.db']);
    expectRefused(file, /another application/);
    expect(fs.readdirSync(dir)).toEqual(['wal.db']);
  });

  it('adopts no foreign file that only resembles an empty or a legacy Etude database, leaving each byte-identical with nothing beside it', () => {
    const dir = tempDir();
    const cases: [string, string][] = [
      // LIKE 'sqlite_%' matched this name (case-insensitive, `_` a wildcard), so the file counted as empty.
      ['studio-meta.db', 'CREATE TABLE SQLiteStudio_meta (k TEXT)'],
      // Views, indexes and triggers are content too.
      ['views.db', 'PRAGMA user_version = 7; CREATE VIEW pieces_view AS SELECT 1 AS x'],
      // A ledger with Etude's first row, beside tables that are not Etude's.
      ['ledger.db', "CREATE TABLE schema_version (version INTEGER, name TEXT); INSERT INTO schema_version VALUES (1, 'initial'); CREATE TABLE accounts (id INTEGER)"],
    ];
    for (const [name, sql] of cases) {
      const file = path.join(dir, name);
      const raw = new Database(file);
      raw.exec(sql);
      raw.close();
      expectRefused(file, /another application/);
    }
    expect(fs.readdirSync(dir).sort()).toEqual(cases.map(([name]) => name).sort());
  });

  it('still adopts an Etude database from before the application id', () => {
    const file = path.join(tempDir(), 'legacy.db');
    const store = Store.open(file);
    store.setSetting('theme', 'dark');
    store.close();
    const raw = new Database(file);
    raw.pragma('application_id = 0');
    raw.close();
    const again = Store.open(file);
    expect(again.getSetting('theme')).toBe('dark');
    again.close();
  });

  it('marks its databases as Etude’s in the SQLite header', () => {
    const file = path.join(tempDir(), 'mine.db');
    Store.open(file).close();
    expect(rawDb(file).pragma('application_id', { simple: true })).toBe(0x45747564);
  });

  it('treats an empty file as a new database', () => {
    const file = path.join(tempDir(), 'empty.db');
    fs.writeFileSync(file, '');
    const store = Store.open(file);
    expect(store.schemaVersion()).toBe(latestVersion());
    store.close();
  });
});
