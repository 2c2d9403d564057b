import type { Migration } from './types';

/**
 * Vocabularies: an encoding (kind, version, parameters) built over a corpus, with its token table
 * and every piece encoded, so training reads index ranges and generation decodes as training
 * encoded. A vocabulary outlives its corpus (models keep working after the corpus is deleted).
 */
export const migration0003: Migration = {
  version: 3,
  name: 'vocabularies',
  up(db) {
    db.exec(`
      CREATE TABLE vocabularies (
        id                 INTEGER PRIMARY KEY,
        corpus_id          INTEGER REFERENCES corpora(id) ON DELETE SET NULL,
        corpus_name        TEXT NOT NULL,
        fingerprint        TEXT NOT NULL,
        encoding           TEXT NOT NULL,
        encoding_version   INTEGER NOT NULL,
        params             TEXT NOT NULL,
        representation     TEXT NOT NULL CHECK (representation IN ('tokens', 'features', 'binary')),
        width              INTEGER NOT NULL,
        min_count          INTEGER NOT NULL,
        max_size           INTEGER NOT NULL,
        size               INTEGER NOT NULL,
        coverage           REAL NOT NULL,
        steps              INTEGER NOT NULL,
        pieces             INTEGER NOT NULL,
        round_trip         TEXT NOT NULL,
        warnings           TEXT NOT NULL,
        seconds            REAL NOT NULL,
        created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      ) STRICT;
      CREATE INDEX vocabularies_by_fingerprint ON vocabularies (fingerprint);
      CREATE INDEX vocabularies_by_corpus ON vocabularies (corpus_id);

      CREATE TABLE vocabulary_tokens (
        vocabulary_id INTEGER NOT NULL REFERENCES vocabularies(id) ON DELETE CASCADE,
        token_id      INTEGER NOT NULL,
        token         TEXT NOT NULL,
        count         INTEGER NOT NULL,
        PRIMARY KEY (vocabulary_id, token_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE encoded_pieces (
        vocabulary_id INTEGER NOT NULL REFERENCES vocabularies(id) ON DELETE CASCADE,
        position      INTEGER NOT NULL,
        piece_id      INTEGER REFERENCES pieces(id) ON DELETE SET NULL,
        title         TEXT NOT NULL,
        steps         INTEGER NOT NULL,
        data          BLOB NOT NULL,
        PRIMARY KEY (vocabulary_id, position)
      ) STRICT;
    `);
  },
};
