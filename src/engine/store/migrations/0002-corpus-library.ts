import type { Migration } from './types';

/**
 * Corpora, pieces (with their original bytes) and tracks. Notes live in one BLOB per track
 * (src/engine/midi/notes-blob.ts), never one row per note.
 */
export const migration0002: Migration = {
  version: 2,
  name: 'corpus library',
  up(db) {
    db.exec(`
      CREATE TABLE corpora (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(name)) > 0),
        track_rule  TEXT NOT NULL DEFAULT '{"kind":"non-drum"}',
        created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      ) STRICT;

      CREATE TABLE pieces (
        id               INTEGER PRIMARY KEY,
        corpus_id        INTEGER NOT NULL REFERENCES corpora(id) ON DELETE CASCADE,
        title            TEXT NOT NULL,
        source_name      TEXT NOT NULL,
        source_path      TEXT,
        source_format    TEXT NOT NULL CHECK (source_format IN ('midi', 'abc')),
        content_hash     TEXT NOT NULL,
        original         BLOB NOT NULL,
        midi_format      INTEGER NOT NULL,
        ppq              INTEGER NOT NULL CHECK (ppq > 0),
        duration_ticks   INTEGER NOT NULL,
        duration_seconds REAL NOT NULL,
        note_count       INTEGER NOT NULL,
        pitch_min        INTEGER,
        pitch_max        INTEGER,
        tempos           TEXT NOT NULL,
        time_signatures  TEXT NOT NULL,
        key_signatures   TEXT NOT NULL,
        repairs          TEXT NOT NULL,
        imported_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        UNIQUE (corpus_id, content_hash)
      ) STRICT;
      CREATE INDEX pieces_by_corpus_title ON pieces (corpus_id, title COLLATE NOCASE);

      CREATE TABLE tracks (
        id          INTEGER PRIMARY KEY,
        piece_id    INTEGER NOT NULL REFERENCES pieces(id) ON DELETE CASCADE,
        position    INTEGER NOT NULL,
        name        TEXT NOT NULL,
        chunk       INTEGER NOT NULL,
        channel     INTEGER NOT NULL CHECK (channel BETWEEN 0 AND 15),
        program     INTEGER NOT NULL CHECK (program BETWEEN 0 AND 127),
        family      TEXT NOT NULL,
        is_drum     INTEGER NOT NULL CHECK (is_drum IN (0, 1)),
        note_count  INTEGER NOT NULL,
        pitch_min   INTEGER,
        pitch_max   INTEGER,
        notes       BLOB NOT NULL,
        UNIQUE (piece_id, position)
      ) STRICT;
    `);
  },
};
