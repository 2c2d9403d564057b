/** Encoding and vocabulary types that cross the API boundary. */

export const ENCODING_KINDS = ['notes-chords', 'frames', 'frame-pitches', 'pitch-step-duration', 'piano-roll', 'events'] as const;
export type EncodingKind = (typeof ENCODING_KINDS)[number];

export type ParamValue = string | number | boolean;

export interface EncodingInfo {
  kind: EncodingKind;
  version: number;
  title: string;
  /** What the model hears, in a musician's words, for the Train page (one sentence). */
  musical: string;
  /** Which seed system it reproduces, if any. */
  seed: string | null;
  defaults: Record<string, ParamValue>;
  /** One line per parameter: what it does and its allowed values. */
  paramHelp: Record<string, string>;
  /** Each parameter's label in words, with its unit. */
  paramLabels: Record<string, string>;
  /** Parameters that take one of a few values. */
  choices?: Record<string, string[]>;
  /** What a round trip keeps exactly, and what it loses. */
  resolution: string;
  loses: string[];
  /** "tokens" (a vocabulary), "features" (continuous numbers) or "binary" (a piano-roll matrix). */
  representation: 'tokens' | 'features' | 'binary';
}

export interface RoundTripReport {
  /** Notes of the selected tracks, before encoding. */
  notes: number;
  /** Notes that came back with the same pitch, onset and duration (within one tick). */
  exact: number;
  /** Notes that came back with the same pitch and onset, other duration. */
  durationChanged: number;
  /** Notes with no note of the same pitch at the same onset after the round trip. */
  lost: number;
  /** Notes the round trip made up (for example a chord's notes moved to another octave). */
  added: number;
  /** 1 − exact / notes. */
  error: number;
}

export interface VocabularySummary {
  id: number;
  corpusId: number | null;
  corpus: string;
  encoding: EncodingKind;
  encodingVersion: number;
  params: Record<string, ParamValue>;
  representation: EncodingInfo['representation'];
  minCount: number;
  maxSize: number;
  /** Tokens in the vocabulary, the special ones included (0 for continuous encodings). */
  size: number;
  /** Share of the corpus's events the vocabulary represents exactly (not as <unk>). */
  coverage: number;
  /** Sequence steps across all encoded pieces. */
  steps: number;
  pieces: number;
  roundTrip: RoundTripReport;
  warnings: string[];
  seconds: number;
  createdAt: string;
}

export interface VocabularyToken {
  id: number;
  token: string;
  count: number;
}

export interface DecodedNotes {
  ppq: number;
  notes: { pitch: number; velocity: number; startTick: number; endTick: number; startSec: number; endSec: number; program: number }[];
}
