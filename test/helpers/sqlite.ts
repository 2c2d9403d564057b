import Database from 'better-sqlite3';
import { afterEach } from 'vitest';

const opened: Database.Database[] = [];

/**
 * A second, read-only connection to a studio database: an independent look at what the store
 * wrote (counts, pages), never through the store's own code. Closed after the test.
 */
export function rawDb(file: string): Database.Database {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  opened.push(db);
  return db;
}

afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});
