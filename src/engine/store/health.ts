import type Database from 'better-sqlite3';
import { EtudeError } from '../../shared/errors';

/** What a musician is told a table holds, when SQLite cannot read part of it. */
const TABLE_WORDS: Record<string, string> = {
  corpora: 'the list of corpora',
  pieces: 'the pieces (their titles and original files)',
  tracks: "the pieces' notes",
  vocabularies: 'the vocabularies',
  vocabulary_tokens: "the vocabularies' tokens",
  encoded_pieces: 'the encoded pieces',
  models: 'the list of models',
  runs: 'the training runs',
  metrics: 'the loss curves',
  checkpoints: "the models' checkpoints (their weights)",
  generations: 'the generations (takes)',
  settings: 'the settings',
  schema_version: 'the schema ledger',
};

export function describeTable(name: string): string {
  return TABLE_WORDS[name] ?? `the table ${name}`;
}

/** SQLite's result codes for a file whose pages do not hold what they should. */
export function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/** The sentence a musician reads instead of "database disk image is malformed". */
export function damagedLibraryError(dbPath: string, what?: string[]): EtudeError {
  const where = what && what.length > 0 ? ` (${what.join('; ')})` : '';
  return new EtudeError(
    'invalid_database',
    `The library ${dbPath} is damaged: part of it can no longer be read${where}. Nothing was changed. ` +
      'See what is damaged with `etude check-library`; restore a backup with `etude backups` then `etude restore --from FILE`, ' +
      'or save every model and piece that can still be read with `etude rescue --to FOLDER`.',
  );
}

export interface QuickCheck {
  ok: boolean;
  /** SQLite's own words, at most ten lines. */
  problems: string[];
  seconds: number;
}

/** PRAGMA quick_check: the file's structure, without the index cross-checks of integrity_check. */
export function quickCheck(db: Database.Database): QuickCheck {
  return runCheck(db, 'quick_check');
}

/** PRAGMA integrity_check: structure and every index against its table. */
export function integrityCheck(db: Database.Database): QuickCheck {
  return runCheck(db, 'integrity_check');
}

function runCheck(db: Database.Database, pragma: 'quick_check' | 'integrity_check'): QuickCheck {
  const started = performance.now();
  let lines: string[];
  try {
    lines = (db.pragma(`${pragma}(10)`) as Record<string, string>[]).map((r) => Object.values(r)[0] ?? '');
  } catch (err) {
    if (!isCorruption(err)) throw err;
    lines = ['the file cannot be read as a database at all'];
  }
  const ok = lines.length === 1 && lines[0] === 'ok';
  return { ok, problems: ok ? [] : lines, seconds: (performance.now() - started) / 1000 };
}

/**
 * Which tables cannot be read to the end, in words: each table's rows are walked (its b-tree
 * pages, not the BLOBs' overflow pages, which the checksums cover).
 */
export function unreadableTables(db: Database.Database): string[] {
  let tables: string[];
  try {
    tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  } catch (err) {
    if (isCorruption(err)) return ['the list of tables itself'];
    throw err;
  }
  const damaged: string[] = [];
  for (const name of tables) {
    try {
      // NOT INDEXED: walk the table itself, not a smaller index that may still be whole.
      for (const row of db.prepare(`SELECT 1 FROM "${name}" NOT INDEXED`).raw().iterate()) void row;
    } catch (err) {
      if (!isCorruption(err)) throw err;
      damaged.push(name);
    }
  }
  return damaged;
}
