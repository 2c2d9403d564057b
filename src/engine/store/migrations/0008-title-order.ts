import { titleOrderKey } from '../title-order';
import type { Migration } from './types';

/** Pieces sort by title as a musician reads them (numbers by value), through a stored key. */
export const migration0008: Migration = {
  version: 8,
  name: 'title order',
  up(db) {
    db.exec(`ALTER TABLE pieces ADD COLUMN title_order TEXT NOT NULL DEFAULT ''`);
    const update = db.prepare('UPDATE pieces SET title_order = ? WHERE id = ?');
    for (const row of db.prepare('SELECT id, title FROM pieces').all() as { id: number; title: string }[]) update.run(titleOrderKey(row.title), row.id);
    db.exec(`
      DROP INDEX IF EXISTS pieces_by_corpus_title;
      CREATE INDEX pieces_by_corpus_title ON pieces (corpus_id, title_order);
    `);
  },
};
