import type { Migration } from './types';

/**
 * Style models, their training runs, every plotted metric point, and checkpoints (weights with the
 * topology they fit, and optimizer state). A model pins its vocabulary; a corpus with models cannot
 * be deleted until they are.
 */
export const migration0004: Migration = {
  version: 4,
  name: 'models and training',
  up(db) {
    db.exec(`
      CREATE TABLE models (
        id            INTEGER PRIMARY KEY,
        name          TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(name)) > 0),
        vocabulary_id INTEGER NOT NULL REFERENCES vocabularies(id) ON DELETE RESTRICT,
        corpus_id     INTEGER REFERENCES corpora(id) ON DELETE RESTRICT,
        architecture  TEXT NOT NULL,
        spec          TEXT NOT NULL,
        parameters    INTEGER NOT NULL,
        created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      ) STRICT;

      CREATE TABLE runs (
        id            INTEGER PRIMARY KEY,
        model_id      INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        hyperparams   TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'paused', 'completed', 'stopped', 'cancelled', 'interrupted', 'failed', 'diverged')),
        message       TEXT,
        backend       TEXT,
        epoch         INTEGER NOT NULL DEFAULT 0,
        step          INTEGER NOT NULL DEFAULT 0,
        best_val_loss REAL,
        seconds       REAL NOT NULL DEFAULT 0,
        pid           INTEGER,
        heartbeat_at  TEXT,
        created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        ended_at      TEXT
      ) STRICT;
      CREATE INDEX runs_by_model ON runs (model_id);

      CREATE TABLE metrics (
        run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        kind     TEXT NOT NULL CHECK (kind IN ('batch', 'epoch')),
        step     INTEGER NOT NULL,
        epoch    INTEGER NOT NULL,
        loss     REAL,
        val_loss REAL,
        heads    TEXT,
        at       REAL NOT NULL,
        PRIMARY KEY (run_id, kind, step)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE checkpoints (
        id          INTEGER PRIMARY KEY,
        model_id    INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        kind        TEXT NOT NULL CHECK (kind IN ('best', 'periodic', 'last')),
        epoch       INTEGER NOT NULL,
        step        INTEGER NOT NULL,
        batch       INTEGER NOT NULL,
        loss        REAL,
        val_loss    REAL,
        topology    TEXT NOT NULL,
        manifest    TEXT NOT NULL,
        weights     BLOB NOT NULL,
        optimizer   BLOB NOT NULL,
        audition    TEXT,
        created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      ) STRICT;
      CREATE INDEX checkpoints_by_run ON checkpoints (run_id, kind);
    `);
  },
};
