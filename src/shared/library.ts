/** Corpus library types that cross the API boundary (plain JSON). */

/** The corpus of bundled tunes a new database starts with. */
export const STARTER_CORPUS = 'Starter tunes';

/** Which tracks of each piece training uses (the seeds each chose differently). */
export type TrackRule =
  | { kind: 'first-instrument' } // seed 000: the first instrument part
  | { kind: 'piano' } // seed 002: piano tracks
  | { kind: 'non-drum' } // every non-drum track
  | { kind: 'programs'; programs: number[] }; // chosen General MIDI programs (0-127)

export interface CorpusSummary {
  id: number;
  name: string;
  trackRule: TrackRule;
  pieces: number;
  notes: number;
  durationSeconds: number;
  pitchMin: number | null;
  pitchMax: number | null;
  /** Tracks by instrument family ("piano", "strings", "drums", …). */
  families: Record<string, number>;
  createdAt: string;
  updatedAt: string;
}

export interface TempoPoint {
  tick: number;
  usPerQuarter: number;
}
export interface MeterPoint {
  tick: number;
  numerator: number;
  denominator: number;
}
export interface KeyPoint {
  tick: number;
  sharps: number;
  mode: 'major' | 'minor';
}

export interface PieceSummary {
  id: number;
  corpusId: number;
  title: string;
  sourceName: string;
  sourceFormat: 'midi' | 'abc';
  durationSeconds: number;
  noteCount: number;
  trackCount: number;
  pitchMin: number | null;
  pitchMax: number | null;
  /** First tempo in quarter notes per minute. */
  bpm: number;
  /** First time signature, e.g. "6/8". */
  meter: string;
  /** First key signature, e.g. "D major"; null when the file has none. */
  key: string | null;
  importedAt: string;
}

/** Notes as parallel arrays (compact in JSON, direct for the piano roll). */
export interface NoteList {
  pitch: number[];
  velocity: number[];
  startTick: number[];
  endTick: number[];
  startSec: number[];
  endSec: number[];
}

export interface TrackInfo {
  id: number;
  position: number;
  name: string;
  channel: number;
  program: number;
  family: string;
  isDrum: boolean;
  noteCount: number;
  pitchMin: number | null;
  pitchMax: number | null;
}

export interface PieceDetail extends PieceSummary {
  ppq: number;
  midiFormat: number;
  durationTicks: number;
  tempos: TempoPoint[];
  timeSignatures: MeterPoint[];
  keySignatures: KeyPoint[];
  /** Documented repairs made while reading the file (unreleased notes ended, …). */
  repairs: Record<string, number>;
  tracks: (TrackInfo & { notes: NoteList })[];
  /** What an Etude export wrote into the file (`etude.model`, `etude.seed`…), when it is one. */
  provenance?: Record<string, string> | null;
}

export interface ImportFailure {
  file: string;
  reason: string;
}

export interface ImportSummary {
  corpus: string;
  imported: number;
  duplicates: number;
  failed: ImportFailure[];
  notes: number;
  seconds: number;
  cancelled: boolean;
  /** Why the import stopped before the end (the disk filled), with what got in: the rest of the files were not tried. */
  stopped?: string;
  /** The pieces this import added, so the studio can undo it. */
  pieceIds?: number[];
  /** True when the import made the corpus (undoing it then removes the corpus too). */
  createdCorpus?: boolean;
}

export interface ImportProgress {
  importId: string;
  total: number;
  done: number;
  imported: number;
  duplicates: number;
  failed: number;
  current: string | null;
}

const SHARP_KEYS_MAJOR = ['C', 'G', 'D', 'A', 'E', 'B', 'F#', 'C#'];
const FLAT_KEYS_MAJOR = ['C', 'F', 'Bb', 'Eb', 'Ab', 'Db', 'Gb', 'Cb'];
const SHARP_KEYS_MINOR = ['A', 'E', 'B', 'F#', 'C#', 'G#', 'D#', 'A#'];
const FLAT_KEYS_MINOR = ['A', 'D', 'G', 'C', 'F', 'Bb', 'Eb', 'Ab'];

export function keyName(sharps: number, mode: 'major' | 'minor'): string {
  const table = mode === 'major' ? (sharps >= 0 ? SHARP_KEYS_MAJOR : FLAT_KEYS_MAJOR) : sharps >= 0 ? SHARP_KEYS_MINOR : FLAT_KEYS_MINOR;
  return `${table[Math.min(7, Math.abs(sharps))]} ${mode}`;
}

export type DropReason = 'empty' | 'drums only' | 'no track matches the rule' | 'duplicate';

export interface CorpusCheck {
  corpusId: number;
  corpus: string;
  rule: TrackRule;
  ruleDescription: string;
  pieces: { total: number; used: number; dropped: number };
  tracks: { total: number; used: number; drums: number; excludedByRule: number };
  notes: { total: number; used: number };
  /** Seconds of music training would see. */
  usedSeconds: number;
  dropped: { pieceId: number; title: string; reason: DropReason; detail: string }[];
  droppedByReason: Partial<Record<DropReason, number>>;
  /** Pieces used, by their first key signature ("none" when the file has none). */
  keys: Record<string, number>;
  /** Pieces used, by their first tempo rounded to 10 bpm. */
  tempos: { bpm: number; pieces: number }[];
  meters: Record<string, number>;
  warnings: string[];
}
