import type Database from 'better-sqlite3';
import { EtudeError } from '../../shared/errors';
import type { EncodingKind, ParamValue, RoundTripReport, VocabularySummary, VocabularyToken } from '../../shared/encoding';

export interface NewVocabulary {
  corpusId: number | null;
  corpusName: string;
  fingerprint: string;
  /** sha256 of the corpus's pieces (their content hashes, sorted): which music the vocabulary was built from. */
  corpusHash: string | null;
  encoding: EncodingKind;
  encodingVersion: number;
  params: Record<string, ParamValue>;
  representation: VocabularySummary['representation'];
  width: number;
  minCount: number;
  maxSize: number;
  coverage: number;
  steps: number;
  roundTrip: RoundTripReport;
  warnings: string[];
  seconds: number;
  tokens: { token: string; count: number }[];
  pieces: { pieceId: number; title: string; steps: number; data: Uint8Array }[];
}

export interface EncodedPieceRow {
  position: number;
  pieceId: number | null;
  title: string;
  steps: number;
  data: Buffer;
}

interface VocabularyRow {
  id: number;
  corpusId: number | null;
  corpus: string;
  encoding: EncodingKind;
  encodingVersion: number;
  params: string;
  representation: VocabularySummary['representation'];
  width: number;
  minCount: number;
  maxSize: number;
  size: number;
  coverage: number;
  steps: number;
  pieces: number;
  roundTrip: string;
  warnings: string;
  seconds: number;
  createdAt: string;
}

const COLUMNS = `id, corpus_id AS corpusId, corpus_name AS corpus, encoding, encoding_version AS encodingVersion, params,
  representation, width, min_count AS minCount, max_size AS maxSize, size, coverage, steps, pieces,
  round_trip AS roundTrip, warnings, seconds, created_at AS createdAt`;

function toSummary(row: VocabularyRow): VocabularySummary & { width: number } {
  return { ...row, params: JSON.parse(row.params), roundTrip: JSON.parse(row.roundTrip), warnings: JSON.parse(row.warnings) };
}

/** Vocabularies, their tokens and encoded pieces. All vocabulary SQL lives here. */
export class VocabularyRepo {
  constructor(private readonly db: Database.Database) {}

  insert(v: NewVocabulary): number {
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO vocabularies (corpus_id, corpus_name, fingerprint, corpus_hash, encoding, encoding_version, params, representation, width,
               min_count, max_size, size, coverage, steps, pieces, round_trip, warnings, seconds)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            v.corpusId,
            v.corpusName,
            v.fingerprint,
            v.corpusHash,
            v.encoding,
            v.encodingVersion,
            JSON.stringify(v.params),
            v.representation,
            v.width,
            v.minCount,
            v.maxSize,
            v.tokens.length,
            v.coverage,
            v.steps,
            v.pieces.length,
            JSON.stringify(v.roundTrip),
            JSON.stringify(v.warnings),
            v.seconds,
          ).lastInsertRowid,
      );
      const token = this.db.prepare('INSERT INTO vocabulary_tokens (vocabulary_id, token_id, token, count) VALUES (?, ?, ?, ?)');
      v.tokens.forEach((t, i) => token.run(id, i, t.token, t.count));
      const piece = this.db.prepare('INSERT INTO encoded_pieces (vocabulary_id, position, piece_id, title, steps, data) VALUES (?, ?, ?, ?, ?, ?)');
      v.pieces.forEach((p, i) => piece.run(id, i, p.pieceId, p.title, p.steps, Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength)));
      return id;
    })();
  }

  byFingerprint(fingerprint: string): (VocabularySummary & { width: number }) | null {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM vocabularies WHERE fingerprint = ? ORDER BY id DESC LIMIT 1`).get(fingerprint) as VocabularyRow | undefined;
    return row ? toSummary(row) : null;
  }

  get(id: number): VocabularySummary & { width: number } {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM vocabularies WHERE id = ?`).get(id) as VocabularyRow | undefined;
    if (!row) throw new EtudeError('not_found', `no vocabulary with id ${id}`);
    return toSummary(row);
  }

  list(corpusId?: number): VocabularySummary[] {
    const rows = (
      corpusId === undefined
        ? this.db.prepare(`SELECT ${COLUMNS} FROM vocabularies ORDER BY id DESC`).all()
        : this.db.prepare(`SELECT ${COLUMNS} FROM vocabularies WHERE corpus_id = ? ORDER BY id DESC`).all(corpusId)
    ) as VocabularyRow[];
    return rows.map(toSummary);
  }

  /** The hash of the music a vocabulary was built from (null for vocabularies built before it was recorded). */
  corpusHash(id: number): string | null {
    this.get(id);
    return this.db.prepare('SELECT corpus_hash FROM vocabularies WHERE id = ?').pluck().get(id) as string | null;
  }

  /** Token strings in id order (index = id). */
  tokens(id: number): string[] {
    this.get(id);
    return this.db.prepare('SELECT token FROM vocabulary_tokens WHERE vocabulary_id = ? ORDER BY token_id').pluck().all(id) as string[];
  }

  /** How often each token occurs in the corpus, in id order. */
  tokenCounts(id: number): number[] {
    this.get(id);
    return this.db.prepare('SELECT count FROM vocabulary_tokens WHERE vocabulary_id = ? ORDER BY token_id').pluck().all(id) as number[];
  }

  tokenPage(id: number, options: { offset: number; limit: number; search?: string }): { total: number; tokens: VocabularyToken[] } {
    this.get(id);
    const where = options.search ? "vocabulary_id = @id AND token LIKE @search ESCAPE '\\'" : 'vocabulary_id = @id';
    const params = { id, search: options.search ? `%${options.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined };
    const total = this.db.prepare(`SELECT count(*) FROM vocabulary_tokens WHERE ${where}`).pluck().get(params) as number;
    const tokens = this.db
      .prepare(`SELECT token_id AS id, token, count FROM vocabulary_tokens WHERE ${where} ORDER BY token_id LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: options.limit, offset: options.offset }) as VocabularyToken[];
    return { total, tokens };
  }

  /** The piece each encoded sequence came from, in dataset order (null where the piece was deleted). */
  encodedPieceIds(id: number): (number | null)[] {
    return this.db.prepare('SELECT piece_id FROM encoded_pieces WHERE vocabulary_id = ? ORDER BY position').pluck().all(id) as (number | null)[];
  }

  encodedPieces(id: number): EncodedPieceRow[] {
    this.get(id);
    return this.db
      .prepare('SELECT position, piece_id AS pieceId, title, steps, data FROM encoded_pieces WHERE vocabulary_id = ? ORDER BY position')
      .all(id) as EncodedPieceRow[];
  }

  delete(id: number): void {
    this.get(id);
    this.db.prepare('DELETE FROM vocabularies WHERE id = ?').run(id);
  }
}
