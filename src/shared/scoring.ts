/** How well a model predicts pieces it never saw: a true likelihood, in nats. */
export interface ScoreReport {
  model: string;
  corpus: string;
  checkpointId: number;
  epoch: number;
  /** Pieces scored, and pieces of the corpus left out because the model trained on them. */
  pieces: number;
  excluded: number;
  /** Notes of the scored pieces (the tracks the corpus's rule takes). */
  notes: number;
  /** Steps the model's encoding writes for them (tokens, or notes for pitch/step/duration). */
  tokens: number;
  /** −log p of the pieces as the encoding writes them; null where the model gives no likelihood. */
  natsTotal: number | null;
  natsPerNote: number | null;
  natsPerToken: number | null;
  /** Tokens the vocabulary lacks, scored through the escape distribution (p(<unk>) × q(text)). */
  escaped: number;
  /** Whether the encoding writes these pieces exactly (else the score is of what it keeps, and not comparable). */
  exact: boolean;
  /** Notes a round trip through the encoding does not bring back unchanged, as a share. */
  roundTripError: number;
  /** Pieces or steps that could not be scored at all (no notes under the rule, or a part the model has no likelihood for). */
  unscored: number;
  /** Each piece of the corpus not scored, by title, and why (the model trained on it, or it has no notes). */
  leftOut: { title: string; reason: string }[];
  /**
   * Frame encodings (frame-pitches): frames after each piece's first, and the nats of those frames
   * per frame, as the polyphonic benchmarks count (JSB, Nottingham); null for other encodings.
   */
  frames: number | null;
  natsPerFrame: number | null;
  /** What the figure covers, when not everything (seed 004: pitches only; its timing is continuous). */
  note: string | null;
  seconds: number;
  /** With `detail`: each piece's nats step by step, for figures over other units (JSB's frames). */
  detail?: { title: string; tokens: string[]; nats: number[] }[];
}
