/**
 * The originality index of a corpus: every piece as a sequence of melodic-rhythmic symbols (the
 * interval from the previous note and the time since its onset), so a match is the same tune in
 * any key, and a suffix array over all of them, so the longest stretch of a take found in the
 * corpus is exact and quick to find. Built once per corpus state, kept in memory.
 */
import type { NoteEvent } from '../encode/types';
import { barStarts } from '../../shared/music/bars';
import type { Store } from '../store/store';
import { longestPrefixMatch, suffixArray } from './suffix-array';

/** Onset time is counted in twelfths of a beat (sixteenths and triplets), capped. */
const TICKS_PER_BEAT_BIN = 12;
const MAX_IOI_BINS = 4095;

export interface NoteLike {
  pitch: number;
  startTick: number;
}

/** Symbols for notes 2…n (note 1 has no interval): (interval + 128)·4096 + inter-onset interval in twelfths of a beat. */
export function symbolsOf(notes: readonly NoteLike[], ppq: number): Int32Array {
  const out = new Int32Array(Math.max(0, notes.length - 1));
  for (let i = 1; i < notes.length; i++) {
    const interval = notes[i]!.pitch - notes[i - 1]!.pitch;
    const ioi = Math.min(MAX_IOI_BINS, Math.round(((notes[i]!.startTick - notes[i - 1]!.startTick) * TICKS_PER_BEAT_BIN) / ppq));
    out[i - 1] = (interval + 128) * 4096 + ioi;
  }
  return out;
}

interface IndexedPiece {
  pieceId: number;
  title: string;
  /** Where its symbols start in the joined sequence. */
  offset: number;
  ppq: number;
  meters: { tick: number; numerator: number; denominator: number }[];
  /** Note start ticks, in symbol order (symbol j ends at note j+1). */
  starts: Uint32Array;
}

export interface CorpusProfile {
  notes: number;
  pitchClasses: number[];
  /** Share of notes at each inter-onset interval bin (0, ⅛, ¼, ½, 1, 2, 4+ beats). */
  ioi: number[];
  duration: number[];
  pitchLow: number;
  pitchHigh: number;
  notesPerBeat: number;
  polyphony: number;
}

export const IOI_BINS = [0, 0.125, 0.25, 0.5, 1, 2, 4];
export const IOI_LABELS = ['0', '⅛', '¼', '½', '1', '2', '4+'];

export function binOf(beats: number): number {
  let best = 0;
  for (let i = 0; i < IOI_BINS.length; i++) if (Math.abs(Math.log2((beats + 1e-3) / (IOI_BINS[i]! + 1e-3))) < Math.abs(Math.log2((beats + 1e-3) / (IOI_BINS[best]! + 1e-3)))) best = i;
  return best;
}

/** Distributions and figures of a set of notes (a piece, a corpus, a take), in beats. */
export function profileOf(pieces: readonly { notes: readonly NoteEvent[]; ppq: number }[]): CorpusProfile {
  const pitchClasses = new Array<number>(12).fill(0);
  const ioi = new Array<number>(IOI_BINS.length).fill(0);
  const duration = new Array<number>(IOI_BINS.length).fill(0);
  const pitches: number[] = [];
  let notes = 0;
  let beats = 0;
  let onsets = 0;
  for (const { notes: list, ppq } of pieces) {
    if (list.length === 0) continue;
    for (let i = 0; i < list.length; i++) {
      const n = list[i]!;
      pitchClasses[n.pitch % 12]!++;
      pitches.push(n.pitch);
      duration[binOf((n.endTick - n.startTick) / ppq)]!++;
      if (i > 0) ioi[binOf((n.startTick - list[i - 1]!.startTick) / ppq)]!++;
      if (i === 0 || n.startTick !== list[i - 1]!.startTick) onsets++;
    }
    notes += list.length;
    beats += Math.max(1, (list.at(-1)!.endTick - list[0]!.startTick) / ppq);
  }
  const share = (a: number[]) => {
    const total = a.reduce((x, y) => x + y, 0) || 1;
    return a.map((v) => v / total);
  };
  pitches.sort((a, b) => a - b);
  const at = (q: number) => pitches[Math.min(pitches.length - 1, Math.floor(q * pitches.length))] ?? 0;
  return {
    notes,
    pitchClasses: share(pitchClasses),
    ioi: share(ioi),
    duration: share(duration),
    pitchLow: at(0.02),
    pitchHigh: at(0.98),
    notesPerBeat: beats > 0 ? notes / beats : 0,
    polyphony: onsets > 0 ? notes / onsets : 0,
  };
}

export interface Match {
  /** Notes in the longest matching stretch (symbols + 1). */
  notes: number;
  /** Where in the take it starts (index into the notes checked). */
  takeNote: number;
  source: { pieceId: number; piece: string; bars: [number, number] } | null;
}

export class CorpusIndex {
  private constructor(
    readonly corpusId: number,
    readonly stamp: string,
    private readonly seq: Int32Array,
    private readonly sa: Int32Array,
    private readonly pieces: IndexedPiece[],
    readonly profile: CorpusProfile,
    readonly buildSeconds: number,
  ) {}

  /** The corpus's state: a change of pieces makes a new index. */
  static stampOf(store: Store, corpusId: number): string {
    const s = store.corpora.summary(corpusId);
    return `${s.pieces}:${s.notes}:${JSON.stringify(s.trackRule)}:${s.updatedAt}`;
  }

  static build(store: Store, corpusId: number): CorpusIndex {
    const started = performance.now();
    const pieces: IndexedPiece[] = [];
    const parts: Int32Array[] = [];
    const forProfile: { notes: NoteEvent[]; ppq: number }[] = [];
    let length = 0;
    for (const { pieceId, title, piece } of store.corpora.iterateEncodable(corpusId)) {
      const symbols = symbolsOf(piece.notes, piece.ppq);
      pieces.push({ pieceId, title, offset: length, ppq: piece.ppq, meters: piece.timeSignatures, starts: Uint32Array.from(piece.notes, (n) => n.startTick) });
      parts.push(symbols);
      length += symbols.length + 1; // and a separator
      forProfile.push({ notes: piece.notes, ppq: piece.ppq });
    }
    const seq = new Int32Array(length);
    let at = 0;
    parts.forEach((symbols, p) => {
      seq.set(symbols, at);
      at += symbols.length;
      seq[at++] = -1 - p; // unique: no match crosses from one piece into the next
    });
    const sa = suffixArray(seq);
    return new CorpusIndex(corpusId, CorpusIndex.stampOf(store, corpusId), seq, sa, pieces, profileOf(forProfile), (performance.now() - started) / 1000);
  }

  get symbols(): number {
    return this.seq.length;
  }

  /** The longest stretch of `notes` (in onset order) that the corpus holds, transposed or not. */
  longestMatch(notes: readonly NoteLike[], ppq: number): Match {
    const query = symbolsOf(notes, ppq);
    let best = { length: 0, at: -1, q: 0 };
    for (let q = 0; q < query.length; q++) {
      if (query.length - q <= best.length) break;
      const m = longestPrefixMatch(this.seq, this.sa, query, q);
      if (m.length > best.length) best = { ...m, q };
    }
    if (best.length === 0) return { notes: notes.length > 0 ? 1 : 0, takeNote: 0, source: null };
    return { notes: best.length + 1, takeNote: best.q, source: this.locate(best.at, best.length) };
  }

  /** Piece and bars of `length` symbols at `at` in the joined sequence. */
  private locate(at: number, length: number): Match['source'] {
    let lo = 0;
    let hi = this.pieces.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.pieces[mid]!.offset <= at) lo = mid;
      else hi = mid - 1;
    }
    const piece = this.pieces[lo]!;
    const first = at - piece.offset; // symbol j spans notes j…j+1
    const fromTick = piece.starts[first]!;
    const toTick = piece.starts[Math.min(piece.starts.length - 1, first + length)]!;
    const starts = barStarts(piece.meters, piece.ppq, toTick + 1);
    const barAt = (tick: number) => Math.max(1, starts.findLastIndex((s) => s <= tick) + 1);
    return { pieceId: piece.pieceId, piece: piece.title, bars: [barAt(fromTick), barAt(toTick)] };
  }
}
