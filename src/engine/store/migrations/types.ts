import type BetterSqlite3 from 'better-sqlite3';

export interface Migration {
  /** Strictly increasing; never renumber a migration that has shipped. */
  version: number;
  name: string;
  up(db: BetterSqlite3.Database): void;
}
