/** Where an exported take came from: written into its MIDI file as text events and into a sidecar .json. */
export interface Provenance {
  /** "Etude 0.1.0" */
  app: string;
  generation: string;
  generationId: number;
  model: string;
  checkpointId: number | null;
  epoch: number;
  /** The base model it was personalised or fine-tuned from, if any. */
  base: string | null;
  seed: number;
  /** Every sampling setting and constraint, as the generation stored them. */
  settings: Record<string, unknown>;
  /** The corpus the model learned from and the sha256 of its pieces (null when unknown). */
  corpus: string | null;
  corpusSha256: string | null;
  passage: string;
  /** Per take: the longest stretch found in the model's corpus (any key, same rhythm), in bars and notes; null where the corpus is not in this library. */
  takes: { take: number; longestMatchBars: number | null; longestMatchNotes: number | null }[];
  createdAt: string;
}

/** The prefix of the MIDI text events that carry provenance (`etude.model=…`). */
export const PROVENANCE_PREFIX = 'etude.';
