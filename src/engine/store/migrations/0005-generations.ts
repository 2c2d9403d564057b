import type { Migration } from './types';

/**
 * Stored generations: the model and checkpoint that made them, the primer reference and every
 * parameter (so a take can be made again), and the takes' notes. A generation outlives the
 * checkpoint it came from (checkpoints are pruned as training goes on); it goes with its model.
 */
export const migration0005: Migration = {
  version: 5,
  name: 'generations',
  up(db) {
    db.exec(`
      CREATE TABLE generations (
        id               INTEGER PRIMARY KEY,
        name             TEXT NOT NULL CHECK (length(trim(name)) > 0),
        model_id         INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        checkpoint_id    INTEGER REFERENCES checkpoints(id) ON DELETE SET NULL,
        checkpoint_epoch INTEGER NOT NULL,
        primer_label     TEXT NOT NULL,
        primer           TEXT NOT NULL,
        params           TEXT NOT NULL,
        starred          INTEGER NOT NULL DEFAULT 0 CHECK (starred IN (0, 1)),
        parent_id        INTEGER REFERENCES generations(id) ON DELETE SET NULL,
        ppq              INTEGER NOT NULL,
        tempos           TEXT NOT NULL,
        time_signatures  TEXT NOT NULL,
        takes            TEXT NOT NULL,
        notices          TEXT NOT NULL,
        seconds          REAL NOT NULL,
        created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      ) STRICT;
      CREATE INDEX generations_by_model ON generations (model_id, id);
    `);
  },
};
