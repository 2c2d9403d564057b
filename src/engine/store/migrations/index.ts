import type BetterSqlite3 from 'better-sqlite3';
import { migration0001 } from './0001-initial';
import { migration0002 } from './0002-corpus-library';
import { migration0003 } from './0003-vocabularies';
import { migration0004 } from './0004-training';
import { migration0005 } from './0005-generations';
import { migration0006 } from './0006-model-lineage';
import { migration0007 } from './0007-base-models';
import { migration0008 } from './0008-title-order';
import { migration0009 } from './0009-checksums';
import type { Migration } from './types';

export type { Migration } from './types';

/** Every migration, in order. Append only. */
export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004, migration0005, migration0006, migration0007, migration0008, migration0009];

export function latestVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
}

/** Refuses a registry whose versions do not strictly increase (a merge mistake caught at start). */
export function checkRegistry(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version <= previous) {
      throw new Error(`migration ${m.version} (${m.name}) must have a version greater than ${previous}`);
    }
    previous = m.version;
  }
}

/**
 * Applies the migrations newer than the database's `user_version`, each in its own transaction,
 * recording it in `schema_version` and `user_version` together so a crash leaves a consistent state.
 */
export function migrate(db: BetterSqlite3.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  checkRegistry(migrations);
  const current = db.pragma('user_version', { simple: true }) as number;
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      m.up(db);
      db.prepare('INSERT INTO schema_version (version, name) VALUES (?, ?)').run(m.version, m.name);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
  }
  return applied;
}
