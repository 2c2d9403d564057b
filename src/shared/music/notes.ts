/** Notes as the studio reads them: a track's parallel arrays as stored, and a piece's notes as the encodings read them. */
import type { GeneratedNote } from '../generation';
import type { KeyPoint, MeterPoint, TempoPoint } from '../library';

/** Notes of one track as parallel arrays, sorted by start tick then pitch. */
export interface NoteArrays {
  pitch: Uint8Array;
  velocity: Uint8Array;
  startTick: Uint32Array;
  endTick: Uint32Array;
  startSec: Float64Array;
  endSec: Float64Array;
}

/** One note with the times the encodings need (the shape a generated note has too). */
export type NoteEvent = GeneratedNote;

/** What an encoding reads: the selected notes of one piece, sorted by start then pitch, and its timeline. */
export interface PieceNotes {
  ppq: number;
  tempos: TempoPoint[];
  timeSignatures: MeterPoint[];
  keySignatures: KeyPoint[];
  durationTicks: number;
  notes: NoteEvent[];
  /** The file the piece was imported from, for encodings that read it as another program did (seed 000's music21). */
  source?: { format: 'midi' | 'abc'; bytes: Uint8Array };
}
