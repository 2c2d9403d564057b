import type Database from 'better-sqlite3';
import { EtudeError } from '../../shared/errors';
import { keyName, type CorpusSummary, type PieceDetail, type PieceSummary, type TrackRule } from '../../shared/library';
import { instrumentFamily } from '../../shared/music/instruments';
import type { NoteArrays, PieceNotes } from '../../shared/music/notes';
import { notesOf } from '../../shared/music/tracks';
import { packNotes, unpackNotes } from './notes-blob';
import { matches, sha256 } from './checksums';
import { titleOrderKey } from './title-order';

export interface CorpusRow {
  id: number;
  name: string;
  trackRule: TrackRule;
}

/** A piece's music as the store keeps it (what the MIDI and ABC readers produce). */
export interface PieceContent {
  format: number;
  ppq: number;
  durationTicks: number;
  durationSeconds: number;
  noteCount: number;
  tempos: { tick: number; usPerQuarter: number }[];
  timeSignatures: { tick: number; numerator: number; denominator: number }[];
  keySignatures: { tick: number; sharps: number; mode: 'major' | 'minor' }[];
  repairs: object;
  tracks: { chunk: number; name: string; channel: number; program: number; isDrum: boolean; notes: NoteArrays }[];
}

export interface NewPiece {
  title: string;
  sourceName: string;
  sourcePath: string | null;
  sourceFormat: 'midi' | 'abc';
  contentHash: string;
  original: Uint8Array;
  midi: PieceContent;
}

export type PieceSort = 'title' | 'duration' | 'notes' | 'imported';

export interface PieceQuery {
  corpusId: number;
  search?: string;
  sort?: PieceSort;
  descending?: boolean;
  limit?: number;
  offset?: number;
}

const SORT_COLUMNS: Record<PieceSort, string> = {
  title: 'p.title_order',
  duration: 'p.duration_seconds',
  notes: 'p.note_count',
  imported: 'p.imported_at',
};

/** A piece as stored: the summary's columns, with the timeline still as JSON (tempo, meter and key are derived from it). */
type PieceRow = Omit<PieceSummary, 'bpm' | 'meter' | 'key'> & { tempos: string; timeSignatures: string; keySignatures: string };

/**
 * A track's notes, checked against the checksum written with them: a damaged page inside the BLOB
 * is refused by name (the piece and what to do) rather than learned or shown as wrong music.
 */
function verifiedNotes(track: { notes: Buffer; notesSha256: string | null; position: number }, title: string): NoteArrays {
  if (!matches(track.notes, track.notesSha256)) {
    throw new EtudeError(
      'invalid_database',
      `The notes of "${title}" (track ${track.position + 1}) are damaged: their checksum no longer matches what was imported. Delete the piece and import it again, or restore a backup of the library (etude backups).`,
    );
  }
  return unpackNotes(track.notes);
}

const PIECE_COLUMNS = `p.id, p.corpus_id AS corpusId, p.title, p.source_name AS sourceName, p.source_format AS sourceFormat,
  p.duration_seconds AS durationSeconds, p.note_count AS noteCount,
  (SELECT count(*) FROM tracks t WHERE t.piece_id = p.id) AS trackCount,
  p.pitch_min AS pitchMin, p.pitch_max AS pitchMax, p.tempos, p.time_signatures AS timeSignatures,
  p.key_signatures AS keySignatures, p.imported_at AS importedAt`;

function summarise(row: PieceRow): PieceSummary {
  const tempos = JSON.parse(row.tempos) as { usPerQuarter: number }[];
  const meters = JSON.parse(row.timeSignatures) as { numerator: number; denominator: number }[];
  const keys = JSON.parse(row.keySignatures) as { sharps: number; mode: 'major' | 'minor' }[];
  const { tempos: _t, timeSignatures: _m, keySignatures: _k, ...rest } = row;
  return {
    ...rest,
    bpm: Math.round((60_000_000 / (tempos[0]?.usPerQuarter ?? 500_000)) * 100) / 100,
    meter: meters[0] ? `${meters[0].numerator}/${meters[0].denominator}` : '4/4',
    key: keys[0] ? keyName(keys[0].sharps, keys[0].mode) : null,
  };
}

/** Pitches and times in quarter notes (so the same music at another PPQ matches), as bytes to hash. */
function fingerprintNotes(blob: Buffer, ppq: number): Buffer {
  const n = unpackNotes(blob);
  // Doubles, not 32-bit integers: a piece at a hostile resolution holds ticks no int32 can.
  const out = Buffer.alloc(n.pitch.length * 17);
  for (let i = 0; i < n.pitch.length; i++) {
    out.writeUInt8(n.pitch[i]!, i * 17);
    out.writeDoubleLE(Math.round((n.startTick[i]! / ppq) * 96), i * 17 + 1);
    out.writeDoubleLE(Math.round(((n.endTick[i]! - n.startTick[i]!) / ppq) * 96), i * 17 + 9);
  }
  return out;
}

/** Escapes LIKE wildcards so a search for "50%" finds "50%". */
function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Corpora, pieces and tracks. All corpus SQL lives here. */
export class CorpusRepo {
  private encodableStatements: { piece: Database.Statement; tracks: Database.Statement } | null = null;

  constructor(private readonly db: Database.Database) {}

  create(name: string): CorpusRow {
    const clean = name.trim();
    if (this.byName(clean)) throw new EtudeError('conflict', `a corpus named "${clean}" already exists`);
    const id = Number(this.db.prepare('INSERT INTO corpora (name) VALUES (?)').run(clean).lastInsertRowid);
    return this.byId(id)!;
  }

  byId(id: number): CorpusRow | null {
    const row = this.db.prepare('SELECT id, name, track_rule AS trackRule FROM corpora WHERE id = ?').get(id) as
      | { id: number; name: string; trackRule: string }
      | undefined;
    return row ? { ...row, trackRule: JSON.parse(row.trackRule) as TrackRule } : null;
  }

  byName(name: string): CorpusRow | null {
    const id = this.db.prepare('SELECT id FROM corpora WHERE name = ?').pluck().get(name.trim()) as number | undefined;
    return id === undefined ? null : this.byId(id);
  }

  require(id: number): CorpusRow {
    const corpus = this.byId(id);
    if (!corpus) throw new EtudeError('not_found', `no corpus with id ${id}`);
    return corpus;
  }

  requireByName(name: string): CorpusRow {
    const corpus = this.byName(name);
    if (!corpus) throw new EtudeError('not_found', `no corpus named "${name}"`);
    return corpus;
  }

  rename(id: number, name: string): CorpusRow {
    this.require(id);
    const clean = name.trim();
    const other = this.byName(clean);
    if (other && other.id !== id) throw new EtudeError('conflict', `a corpus named "${clean}" already exists`);
    this.db.prepare(`UPDATE corpora SET name = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`).run(clean, id);
    return this.byId(id)!;
  }

  setTrackRule(id: number, rule: TrackRule): CorpusRow {
    this.require(id);
    this.db
      .prepare(`UPDATE corpora SET track_rule = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`)
      .run(JSON.stringify(rule), id);
    return this.byId(id)!;
  }

  /** Deletes a corpus with its pieces and tracks (one statement; foreign keys cascade). Refused while models use it. */
  delete(id: number): { pieces: number } {
    const corpus = this.require(id);
    const models = this.db.prepare('SELECT name FROM models WHERE corpus_id = ? ORDER BY name').pluck().all(id) as string[];
    if (models.length > 0) {
      throw new EtudeError(
        'conflict',
        `"${corpus.name}" trains ${models.length === 1 ? 'the model' : 'the models'} ${models.map((m) => `"${m}"`).join(', ')}: delete ${models.length === 1 ? 'it' : 'them'} first, or keep the corpus`,
      );
    }
    const pieces = this.db.prepare('SELECT count(*) FROM pieces WHERE corpus_id = ?').pluck().get(id) as number;
    this.db.prepare('DELETE FROM corpora WHERE id = ?').run(id);
    return { pieces };
  }

  list(): CorpusSummary[] {
    const rows = this.db
      .prepare(
        `SELECT c.id, c.name, c.track_rule AS trackRule, c.created_at AS createdAt, c.updated_at AS updatedAt,
                count(p.id) AS pieces, coalesce(sum(p.note_count), 0) AS notes,
                coalesce(sum(p.duration_seconds), 0) AS durationSeconds,
                min(p.pitch_min) AS pitchMin, max(p.pitch_max) AS pitchMax
         FROM corpora c LEFT JOIN pieces p ON p.corpus_id = c.id
         GROUP BY c.id ORDER BY c.name COLLATE NOCASE`,
      )
      .all() as (Omit<CorpusSummary, 'trackRule' | 'families'> & { trackRule: string })[];
    const families = this.db
      .prepare(
        `SELECT p.corpus_id AS corpusId, t.family, count(*) AS n
         FROM tracks t JOIN pieces p ON p.id = t.piece_id GROUP BY p.corpus_id, t.family`,
      )
      .all() as { corpusId: number; family: string; n: number }[];
    return rows.map((row) => ({
      ...row,
      trackRule: JSON.parse(row.trackRule) as TrackRule,
      families: Object.fromEntries(families.filter((f) => f.corpusId === row.id).map((f) => [f.family, f.n])),
    }));
  }

  summary(id: number): CorpusSummary {
    const found = this.list().find((c) => c.id === id);
    if (!found) throw new EtudeError('not_found', `no corpus with id ${id}`);
    return found;
  }

  /** The content hashes of a corpus's pieces, sorted: which music it holds. */
  contentHashes(corpusId: number): string[] {
    return this.db.prepare('SELECT content_hash FROM pieces WHERE corpus_id = ? ORDER BY content_hash').pluck().all(corpusId) as string[];
  }

  /** Pieces whose tracks do not add up to them, and tracks without a piece: what a half-written import would leave (never any). */
  halfWrittenPieces(): number {
    const inconsistent = this.db.prepare('SELECT count(*) FROM pieces p WHERE p.note_count != (SELECT coalesce(sum(note_count), 0) FROM tracks t WHERE t.piece_id = p.id)').pluck().get() as number;
    const orphans = this.db.prepare('SELECT count(*) FROM tracks t LEFT JOIN pieces p ON p.id = t.piece_id WHERE p.id IS NULL').pluck().get() as number;
    return inconsistent + orphans;
  }

  /** The content hashes of some pieces (those that still exist). */
  contentHashesOf(pieceIds: readonly number[]): Set<string> {
    const hashOf = this.db.prepare('SELECT content_hash FROM pieces WHERE id = ?').pluck();
    return new Set(pieceIds.map((id) => hashOf.get(id) as string | undefined).filter((h): h is string => h !== undefined));
  }

  /** The title of each of these pieces by its content hash (the first, where two hold the same music). */
  titlesByContentHash(pieceIds: readonly number[]): Map<string, string> {
    const row = this.db.prepare('SELECT content_hash AS hash, title FROM pieces WHERE id = ?');
    const titles = new Map<string, string>();
    for (const id of pieceIds) {
      const r = row.get(id) as { hash: string; title: string } | undefined;
      if (r && !titles.has(r.hash)) titles.set(r.hash, r.title);
    }
    return titles;
  }

  hasPiece(corpusId: number, contentHash: string): boolean {
    return this.db.prepare('SELECT 1 FROM pieces WHERE corpus_id = ? AND content_hash = ?').get(corpusId, contentHash) !== undefined;
  }

  /** Inserts a piece and its tracks. Callers wrap a whole file in one transaction (see `transaction`). */
  insertPiece(corpusId: number, piece: NewPiece): number {
    const { midi } = piece;
    let pitchMin: number | null = null;
    let pitchMax: number | null = null;
    const trackRanges = midi.tracks.map((t) => {
      let lo = 127;
      let hi = 0;
      for (const p of t.notes.pitch) {
        if (p < lo) lo = p;
        if (p > hi) hi = p;
      }
      if (t.notes.pitch.length === 0) return { lo: null, hi: null };
      pitchMin = pitchMin === null ? lo : Math.min(pitchMin, lo);
      pitchMax = pitchMax === null ? hi : Math.max(pitchMax, hi);
      return { lo, hi };
    });
    const pieceId = Number(
      this.db
        .prepare(
          `INSERT INTO pieces (corpus_id, title, title_order, source_name, source_path, source_format, content_hash, original,
             midi_format, ppq, duration_ticks, duration_seconds, note_count, pitch_min, pitch_max,
             tempos, time_signatures, key_signatures, repairs)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          corpusId,
          piece.title,
          titleOrderKey(piece.title),
          piece.sourceName,
          piece.sourcePath,
          piece.sourceFormat,
          piece.contentHash,
          Buffer.from(piece.original.buffer, piece.original.byteOffset, piece.original.byteLength),
          midi.format,
          midi.ppq,
          midi.durationTicks,
          midi.durationSeconds,
          midi.noteCount,
          pitchMin,
          pitchMax,
          JSON.stringify(midi.tempos),
          JSON.stringify(midi.timeSignatures),
          JSON.stringify(midi.keySignatures),
          JSON.stringify(midi.repairs),
        ).lastInsertRowid,
    );
    const insertTrack = this.db.prepare(
      `INSERT INTO tracks (piece_id, position, name, chunk, channel, program, family, is_drum, note_count, pitch_min, pitch_max, notes, notes_sha256)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    midi.tracks.forEach((t, position) => {
      const notes = packNotes(t.notes);
      insertTrack.run(
        pieceId,
        position,
        t.name,
        t.chunk,
        t.channel,
        t.program,
        instrumentFamily(t.program, t.isDrum),
        t.isDrum ? 1 : 0,
        t.notes.pitch.length,
        trackRanges[position]!.lo,
        trackRanges[position]!.hi,
        notes,
        sha256(notes),
      );
    });
    this.db.prepare(`UPDATE corpora SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`).run(corpusId);
    return pieceId;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  listPieces(query: PieceQuery): { total: number; pieces: PieceSummary[] } {
    this.require(query.corpusId);
    const where = ['p.corpus_id = @corpusId'];
    const params: Record<string, unknown> = { corpusId: query.corpusId };
    if (query.search?.trim()) {
      where.push("(p.title LIKE @search ESCAPE '\\' OR p.source_name LIKE @search ESCAPE '\\')");
      params.search = likePattern(query.search.trim());
    }
    const whereSql = where.join(' AND ');
    const total = this.db.prepare(`SELECT count(*) FROM pieces p WHERE ${whereSql}`).pluck().get(params) as number;
    const order = `${SORT_COLUMNS[query.sort ?? 'title']} ${query.descending ? 'DESC' : 'ASC'}, p.id`;
    const rows = this.db
      .prepare(`SELECT ${PIECE_COLUMNS} FROM pieces p WHERE ${whereSql} ORDER BY ${order} LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: query.limit ?? 10_000, offset: query.offset ?? 0 }) as PieceRow[];
    return { total, pieces: rows.map(summarise) };
  }

  getPiece(id: number): PieceDetail {
    const row = this.db
      .prepare(
        `SELECT ${PIECE_COLUMNS}, p.ppq, p.midi_format AS midiFormat, p.duration_ticks AS durationTicks, p.repairs
         FROM pieces p WHERE p.id = ?`,
      )
      .get(id) as (PieceRow & { ppq: number; midiFormat: number; durationTicks: number; repairs: string }) | undefined;
    if (!row) throw new EtudeError('not_found', `no piece with id ${id}`);
    const tracks = this.db
      .prepare(
        `SELECT id, position, name, channel, program, family, is_drum AS isDrum, note_count AS noteCount,
                pitch_min AS pitchMin, pitch_max AS pitchMax, notes, notes_sha256 AS notesSha256
         FROM tracks WHERE piece_id = ? ORDER BY position`,
      )
      .all(id) as (Omit<PieceDetail['tracks'][number], 'notes' | 'isDrum'> & { isDrum: number; notes: Buffer; notesSha256: string | null })[];
    return {
      ...summarise(row),
      ppq: row.ppq,
      midiFormat: row.midiFormat,
      durationTicks: row.durationTicks,
      tempos: JSON.parse(row.tempos),
      timeSignatures: JSON.parse(row.timeSignatures),
      keySignatures: JSON.parse(row.keySignatures),
      repairs: JSON.parse(row.repairs),
      tracks: tracks.map(({ notesSha256, ...t }) => {
        const n = verifiedNotes({ ...t, notesSha256 }, row.title);
        return {
          ...t,
          isDrum: t.isDrum === 1,
          notes: {
            pitch: Array.from(n.pitch),
            velocity: Array.from(n.velocity),
            startTick: Array.from(n.startTick),
            endTick: Array.from(n.endTick),
            startSec: Array.from(n.startSec),
            endSec: Array.from(n.endSec),
          },
        };
      }),
    };
  }

  /**
   * Every piece of a corpus with its tracks and a per-track fingerprint of the notes, one piece at a
   * time (memory stays bounded by the largest piece, not the corpus).
   */
  *iterateForCheck(corpusId: number): Generator<
    PieceSummary & { tracks: { position: number; program: number; family: string; isDrum: boolean; noteCount: number; fingerprint: Buffer }[] }
  > {
    const pieces = this.db.prepare(`SELECT ${PIECE_COLUMNS}, p.ppq FROM pieces p WHERE p.corpus_id = ? ORDER BY p.title_order, p.id`);
    const tracks = this.db.prepare(
      `SELECT position, program, family, is_drum AS isDrum, note_count AS noteCount, notes FROM tracks WHERE piece_id = ? ORDER BY position`,
    );
    const rows = pieces.all(corpusId) as (PieceRow & { ppq: number })[];
    for (const row of rows) {
      const trackRows = tracks.all(row.id) as { position: number; program: number; family: string; isDrum: number; noteCount: number; notes: Buffer }[];
      yield {
        ...summarise(row),
        tracks: trackRows.map((t) => ({
          position: t.position,
          program: t.program,
          family: t.family,
          isDrum: t.isDrum === 1,
          noteCount: t.noteCount,
          fingerprint: fingerprintNotes(t.notes, row.ppq),
        })),
      };
    }
  }

  /**
   * Each piece of a corpus as the encodings read it: the notes of the tracks its rule selects,
   * merged and sorted by start then pitch. One piece in memory at a time.
   */
  *iterateEncodable(corpusId: number): Generator<{ pieceId: number; title: string; contentHash: string; piece: PieceNotes }> {
    const corpus = this.require(corpusId);
    const ids = this.db.prepare(`SELECT id FROM pieces WHERE corpus_id = ? ORDER BY id`).pluck().all(corpusId) as number[];
    for (const id of ids) yield this.encodable(id, corpus.trackRule);
  }

  /** The name of the corpus a piece belongs to. */
  corpusOfPiece(pieceId: number): string {
    const name = this.db.prepare('SELECT c.name FROM pieces p JOIN corpora c ON c.id = p.corpus_id WHERE p.id = ?').pluck().get(pieceId) as string | undefined;
    if (name === undefined) throw new EtudeError('not_found', `no piece with id ${pieceId}`);
    return name;
  }

  /** One piece as the encodings read it, through its corpus's track rule (or the one given). */
  encodable(pieceId: number, rule?: TrackRule): { pieceId: number; title: string; contentHash: string; piece: PieceNotes } {
    // Prepared once: a vocabulary build or an originality index reads every piece through here.
    this.encodableStatements ??= {
      piece: this.db.prepare(
        `SELECT p.id, p.title, p.content_hash AS contentHash, p.ppq, p.duration_ticks AS durationTicks, p.tempos,
                p.time_signatures AS timeSignatures, p.key_signatures AS keySignatures, c.track_rule AS trackRule,
                p.source_format AS sourceFormat, p.original
         FROM pieces p JOIN corpora c ON c.id = p.corpus_id WHERE p.id = ?`,
      ),
      tracks: this.db.prepare(
        `SELECT position, program, family, is_drum AS isDrum, note_count AS noteCount, notes, notes_sha256 AS notesSha256 FROM tracks WHERE piece_id = ? ORDER BY position`,
      ),
    };
    const row = this.encodableStatements.piece.get(pieceId) as
      | {
          id: number;
          title: string;
          contentHash: string;
          ppq: number;
          durationTicks: number;
          tempos: string;
          timeSignatures: string;
          keySignatures: string;
          trackRule: string;
          sourceFormat: 'midi' | 'abc';
          original: Buffer;
        }
      | undefined;
    if (!row) throw new EtudeError('not_found', `no piece with id ${pieceId}`);
    const tracks = (
      this.encodableStatements.tracks.all(row.id) as { position: number; program: number; family: string; isDrum: number; noteCount: number; notes: Buffer; notesSha256: string | null }[]
    ).map((t) => ({ ...t, isDrum: t.isDrum === 1 }));
    const notes = notesOf(tracks, rule ?? (JSON.parse(row.trackRule) as TrackRule), (t) => verifiedNotes(t, row.title));
    return {
      pieceId: row.id,
      title: row.title,
      contentHash: row.contentHash,
      piece: {
        ppq: row.ppq,
        durationTicks: row.durationTicks,
        tempos: JSON.parse(row.tempos),
        timeSignatures: JSON.parse(row.timeSignatures),
        keySignatures: JSON.parse(row.keySignatures),
        notes,
        source: { format: row.sourceFormat, bytes: row.original },
      },
    };
  }

  original(id: number): { name: string; title: string; format: 'midi' | 'abc'; bytes: Buffer } {
    const row = this.db.prepare('SELECT source_name AS name, title, source_format AS format, original AS bytes FROM pieces WHERE id = ?').get(id) as
      | { name: string; title: string; format: 'midi' | 'abc'; bytes: Buffer }
      | undefined;
    if (!row) throw new EtudeError('not_found', `no piece with id ${id}`);
    return row;
  }

  /** Moves pieces to another corpus; a piece already there (same content) stays where it was. */
  movePieces(pieceIds: number[], toCorpusId: number): { moved: number; duplicates: number } {
    this.require(toCorpusId);
    return this.transaction(() => {
      let moved = 0;
      let duplicates = 0;
      const hashOf = this.db.prepare('SELECT content_hash FROM pieces WHERE id = ?').pluck();
      const move = this.db.prepare('UPDATE pieces SET corpus_id = ? WHERE id = ?');
      for (const id of pieceIds) {
        const hash = hashOf.get(id) as string | undefined;
        if (hash === undefined) throw new EtudeError('not_found', `no piece with id ${id}`);
        if (this.hasPiece(toCorpusId, hash)) duplicates++;
        else moved += move.run(toCorpusId, id).changes;
      }
      return { moved, duplicates };
    });
  }

  /** Corpora by id and name alone (a rescue: their summaries read every piece). */
  names(): { id: number; name: string }[] {
    return this.db.prepare('SELECT id, name FROM corpora ORDER BY id').all() as { id: number; name: string }[];
  }

  /**
   * The ids of a corpus's pieces that can still be found, for a rescue: through the title index
   * first (it holds the ids, and may be whole where the table is not), else the table.
   */
  rescuablePieceIds(corpusId: number): number[] {
    for (const sql of ['SELECT id FROM pieces INDEXED BY pieces_by_corpus_title WHERE corpus_id = ?', 'SELECT id FROM pieces NOT INDEXED WHERE corpus_id = ?']) {
      try {
        return this.db.prepare(sql).pluck().all(corpusId) as number[];
      } catch {
        // the next way, or nothing
      }
    }
    return [];
  }

  /** Every track whose notes no longer match their checksum (the full library check). One track in memory at a time. */
  damagedTracks(): { pieceId: number; title: string; corpus: string; position: number }[] {
    const ids = this.db.prepare('SELECT id FROM tracks ORDER BY id').pluck().all() as number[];
    const one = this.db.prepare(
      `SELECT t.piece_id AS pieceId, p.title, c.name AS corpus, t.position, t.notes, t.notes_sha256 AS sha
       FROM tracks t JOIN pieces p ON p.id = t.piece_id JOIN corpora c ON c.id = p.corpus_id WHERE t.id = ?`,
    );
    const damaged: { pieceId: number; title: string; corpus: string; position: number }[] = [];
    for (const id of ids) {
      const r = one.get(id) as { pieceId: number; title: string; corpus: string; position: number; notes: Buffer; sha: string | null } | undefined;
      if (r && !matches(r.notes, r.sha)) damaged.push({ pieceId: r.pieceId, title: r.title, corpus: r.corpus, position: r.position });
    }
    return damaged;
  }

  deletePieces(pieceIds: number[]): number {
    return this.transaction(() => {
      const del = this.db.prepare('DELETE FROM pieces WHERE id = ?');
      return pieceIds.reduce((n, id) => n + del.run(id).changes, 0);
    });
  }
}
