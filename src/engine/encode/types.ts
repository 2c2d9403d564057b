import type { z } from 'zod';
import type { EncodingInfo, ParamValue } from '../../shared/encoding';
import type { MeterPoint, TempoPoint } from '../../shared/library';
import type { NoteEvent, PieceNotes } from '../../shared/music/notes';

export type { NoteEvent };
/** What an encoding reads: the selected notes of one piece, sorted by start then pitch, and its timeline. */
export type EncodableNotes = PieceNotes;

/** The timeline a decoder writes into (the primer's, when generating). */
export interface DecodeContext {
  ppq: number;
  tempos: TempoPoint[];
  timeSignatures: MeterPoint[];
}

export type Encoded =
  /** `notice`: why a piece with notes gave no tokens, for the vocabulary report. */
  | { representation: 'tokens'; tokens: string[]; notice?: string }
  | { representation: 'features'; width: number; data: Float32Array }
  | { representation: 'binary'; width: number; data: Uint8Array };

export interface Encoding<P extends Record<string, ParamValue>> {
  info: Omit<EncodingInfo, 'defaults'> & { defaults: P };
  params: z.ZodType<P>;
  encode(piece: EncodableNotes, params: P): Encoded;
  decode(encoded: Encoded, params: P, context: DecodeContext): NoteEvent[];
  /** The same token a number of semitones away, or null when it has no pitch meaning or leaves the range. */
  transpose?(token: string, semitones: number, params: P): string | null;
  /**
   * What a token means to sampling-time constraints: the MIDI pitches it sounds (chord pitch
   * classes in the octave they decode to) and its rhythmic slot (a grid position or a length),
   * or null where the token carries no such choice.
   */
  tokenInfo?(token: string, params: P): TokenInfo;
  /**
   * Tokens every vocabulary of this encoding holds whatever the corpus (a closed alphabet): with
   * one, any piece is written in known tokens, never <unk>, and every corpus shares the token ids.
   */
  alphabet?(params: P): string[];
  /** What may follow what: a sequence's allowed next tokens, for scoring and sampling (see TokenGrammar). */
  grammar?(tokens: readonly string[], params: P): TokenGrammar;
  /**
   * Where the decoder's clock stands after these tokens, for encodings whose decoded timeline is
   * not the music's own (seed 000 decodes every token half a beat apart); absent when it is.
   */
  clockAfter?(tokens: readonly string[], params: P, ppq: number): number | null;
  /**
   * The parameters that make this version encode as an older one did, for a vocabulary (or
   * model file) built with that version; null when it cannot. Absent: only this version is read.
   */
  legacyParams?(version: number, stored: Record<string, ParamValue>): Record<string, ParamValue> | null;
}

/**
 * One sequence's grammar over a vocabulary's ids: which tokens may come next, and the state after
 * one. Probabilities renormalised over what it allows stay a distribution over music.
 */
export interface TokenGrammar {
  /** Sets mask[id] to 1 where the token may come next, 0 where not. */
  allowed(mask: Uint8Array): void;
  advance(id: number): void;
}

export interface TokenInfo {
  pitches: number[];
  rhythm: string | null;
}
