import { sha256 } from '../checksums';
import type { Migration } from './types';

/**
 * A sha256 beside every checkpoint's weights and optimizer bytes and every track's notes, written in
 * the same transaction as the bytes, so damage inside a BLOB (which integrity_check does not read)
 * is found before a model generates from it or a piece is learned. Rows that exist get theirs here,
 * one at a time (a library of large checkpoints never holds more than one in memory).
 */
export const migration0009: Migration = {
  version: 9,
  name: 'checksums',
  up(db) {
    db.exec(`
      ALTER TABLE checkpoints ADD COLUMN weights_sha256 TEXT;
      ALTER TABLE checkpoints ADD COLUMN optimizer_sha256 TEXT;
      ALTER TABLE tracks ADD COLUMN notes_sha256 TEXT;
    `);
    const checkpoint = db.prepare('SELECT weights, optimizer FROM checkpoints WHERE id = ?');
    const setCheckpoint = db.prepare('UPDATE checkpoints SET weights_sha256 = ?, optimizer_sha256 = ? WHERE id = ?');
    for (const id of db.prepare('SELECT id FROM checkpoints ORDER BY id').pluck().all() as number[]) {
      const row = checkpoint.get(id) as { weights: Buffer; optimizer: Buffer };
      setCheckpoint.run(sha256(row.weights), sha256(row.optimizer), id);
    }
    // Ids first: better-sqlite3 runs no other statement while an iteration is open.
    const notes = db.prepare('SELECT notes FROM tracks WHERE id = ?').pluck();
    const setTrack = db.prepare('UPDATE tracks SET notes_sha256 = ? WHERE id = ?');
    for (const id of db.prepare('SELECT id FROM tracks ORDER BY id').pluck().all() as number[]) {
      setTrack.run(sha256(notes.get(id) as Buffer), id);
    }
  },
};
