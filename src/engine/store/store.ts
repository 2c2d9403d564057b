import Database from 'better-sqlite3';
import { latestVersion } from './migrations/index';
import { openDatabase, type OpenOptions } from './database';
import { CorpusRepo } from './corpora';
import { VocabularyRepo } from './vocabularies';
import { RunRepo } from './runs';
import { GenerationRepo } from './generations';
import { ModelRepo } from './models';
import { backupLibrary, DEFAULT_BACKUPS_KEPT, type BackupOutcome, type BackupReason } from './backups';
import { integrityCheck, quickCheck, unreadableTables, type QuickCheck } from './health';

/** What the full library check found, in words a musician can act on. */
export interface LibraryCheck {
  ok: boolean;
  /** SQLite's integrity_check, when it is not "ok". */
  integrity: string[];
  /** Tables whose rows cannot all be read. */
  unreadableTables: string[];
  damagedCheckpoints: { id: number; model: string; epoch: number; parts: string[] }[];
  damagedTracks: { pieceId: number; title: string; corpus: string; position: number }[];
  seconds: number;
  checkedAt: string;
}
import { openWhenDiskFull, READ_ONLY } from './read-only';

/** The studio's single source of truth. All SQL lives behind methods named for what they do. */
export class Store {
  readonly path: string;
  private readonly db: Database.Database;
  readonly corpora: CorpusRepo;
  readonly vocabularies: VocabularyRepo;
  readonly runs: RunRepo;
  readonly generations: GenerationRepo;
  readonly models: ModelRepo;

  /** Why the library is open read-only (its disk was full when it was opened), or null. */
  readonly readOnly: string | null;

  private constructor(file: string, db: Database.Database, readOnly: string | null = null) {
    this.path = file;
    this.db = db;
    this.readOnly = readOnly;
    this.corpora = new CorpusRepo(db);
    this.vocabularies = new VocabularyRepo(db);
    this.runs = new RunRepo(db);
    this.generations = new GenerationRepo(db);
    this.models = new ModelRepo(db, this.runs, this.vocabularies);
  }

  static open(file: string, options: OpenOptions = {}): Store {
    try {
      return new Store(file, openDatabase(file, options));
    } catch (err) {
      const reading = openWhenDiskFull(file, options, err);
      if (!reading) throw err;
      return new Store(file, reading, READ_ONLY);
    }
  }

  /** A library opened only to read what it still can (a rescue): no migration, nothing written. */
  static openReadOnly(file: string, options: { nativeBinding?: string } = {}): Store {
    return new Store(file, new Database(file, { readonly: true, fileMustExist: true, ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}) }));
  }

  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  latestSchemaVersion(): number {
    return latestVersion();
  }

  /** The connection's journal mode and whether it enforces foreign keys. */
  connection(): { journalMode: string; foreignKeys: boolean } {
    return { journalMode: this.db.pragma('journal_mode', { simple: true }) as string, foreignKeys: this.db.pragma('foreign_keys', { simple: true }) === 1 };
  }

  /** SQLite's own check of the file: "ok", or what is wrong. */
  integrityCheck(): string {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  }

  sqliteVersion(): string {
    return (this.db.prepare('SELECT sqlite_version()').pluck().get() as string) ?? 'unknown';
  }

  appliedMigrations(): { version: number; name: string; appliedAt: string }[] {
    return this.db
      .prepare('SELECT version, name, applied_at AS appliedAt FROM schema_version ORDER BY version')
      .all() as { version: number; name: string; appliedAt: string }[];
  }

  getSetting(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined;
    return row ?? null;
  }

  setSetting(key: string, value: string): void {
    this.db
      .prepare(
        `INSERT INTO settings (key, value) VALUES (?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
      )
      .run(key, value);
  }

  /** The number of backups kept in the `backups` folder (setting `backups.keep`, default 5). */
  backupsKept(): number {
    const n = Number(this.getSetting('backups.keep'));
    return Number.isInteger(n) && n >= 1 ? n : DEFAULT_BACKUPS_KEPT;
  }

  /** An online backup (see backups.ts): the studio goes on while it copies. */
  backup(options: { reason: BackupReason; to?: string }): Promise<BackupOutcome> {
    return backupLibrary(this.db, this.path, { ...options, keep: this.backupsKept() });
  }

  /** PRAGMA quick_check, timed. */
  quickCheck(): QuickCheck {
    return quickCheck(this.db);
  }

  /**
   * The full check: SQLite's integrity_check, every table read to its end, and every checksummed
   * BLOB (checkpoints' weights and optimizer state, tracks' notes) compared with its checksum.
   */
  checkLibrary(): LibraryCheck {
    const started = performance.now();
    const integrity = integrityCheck(this.db);
    const unreadable = unreadableTables(this.db);
    const damagedCheckpoints = unreadable.includes('checkpoints') || unreadable.includes('models') ? [] : this.runs.damagedCheckpoints();
    const damagedTracks = ['tracks', 'pieces', 'corpora'].some((t) => unreadable.includes(t)) ? [] : this.corpora.damagedTracks();
    const result: LibraryCheck = {
      ok: integrity.ok && unreadable.length === 0 && damagedCheckpoints.length === 0 && damagedTracks.length === 0,
      integrity: integrity.problems,
      unreadableTables: unreadable,
      damagedCheckpoints,
      damagedTracks,
      seconds: (performance.now() - started) / 1000,
      checkedAt: new Date().toISOString(),
    };
    return result;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
