/** Originality and style of a take against its model's corpus. */

export interface Distribution {
  take: number[];
  corpus: number[];
}

export interface StyleMetrics {
  /** Total-variation distance between the pitch-class histograms (0 = the same, 1 = disjoint). */
  pitchClassDistance: number;
  ioiDistance: number;
  durationDistance: number;
  pitchRange: { take: [number, number]; corpus: [number, number] };
  notesPerBeat: { take: number; corpus: number };
  /** Notes per onset (1 = one line, more = chords). */
  polyphony: { take: number; corpus: number };
  /** Share of the continuation's notes in the passage's key, and that key. */
  inKey: { share: number; key: string };
  distributions: { pitchClasses: Distribution; ioi: Distribution; duration: Distribution; ioiLabels: string[] };
}

export interface TakeCheck {
  take: number;
  /** Notes in the longest stretch of the continuation found in the corpus (any key, same rhythm). */
  longestMatchNotes: number;
  /** Where that stretch comes from. */
  source: { pieceId: number; piece: string; bars: [number, number] } | null;
  /** The stretch reaches the threshold: the take copies its corpus. */
  copies: boolean;
  /** The matching stretch on the take's timeline, in ticks. */
  matchTicks: [number, number] | null;
  metrics: StyleMetrics;
}

export interface GenerationCheck {
  generationId: number;
  corpus: string;
  threshold: number;
  takes: TakeCheck[];
  /** Milliseconds the match search took for all takes (the index is built once per corpus). */
  checkMs: number;
  indexSeconds: number;
  corpusSymbols: number;
}
