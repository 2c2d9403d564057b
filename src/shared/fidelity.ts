/** The style scorecard: does a model's music sound like a corpus, without copying it? */
import { z } from 'zod';

const id = z.number().int().positive();

export const DEFAULT_FIDELITY_TAKES = 30;
export const DEFAULT_COPY_BARS = 4;

export const fidelityInput = z
  .object({
    /** The model whose takes are scored. */
    id,
    /** The corpus they are measured against (its held-out pieces give the passages continued). */
    corpusId: id,
    /** A checkpoint of the model; the one it generates from when omitted. */
    checkpointId: id.optional(),
    takes: z.number().int().min(6, 'a scorecard needs at least 6 takes').max(200, 'a scorecard makes at most 200 takes').default(DEFAULT_FIDELITY_TAKES),
    /** A take copies when its longest match with the corpus exceeds this many bars. */
    copyBars: z.number().min(1).max(64).default(DEFAULT_COPY_BARS),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    /** Sampling as Compose samples by default, unless a setting is to be compared. */
    temperature: z.number().min(0.05).max(5).default(1),
    topK: z.number().int().min(0).max(100_000).default(0),
    topP: z.number().gt(0).max(1).default(1),
    /** Chosen by the caller to cancel it with models.cancelFidelity. */
    jobId: z.string().min(1).max(100).optional(),
  })
  .strict();
export type FidelityInput = z.infer<typeof fidelityInput>;
export type FidelityRequest = z.input<typeof fidelityInput>;

/** One feature compared as MGEval does. */
export interface FeatureFidelity {
  feature: string;
  /** In words ("pitch range"). */
  label: string;
  /** Overlapping area of the corpus's intra-set distances and the takes↔corpus distances (1 = indistinguishable). */
  overlap: number;
  /** KL divergence of the intra-set from the inter-set distances (0 = the same). */
  kl: number;
  /** Mean of the feature over the takes and over the corpus excerpts (scalars only). */
  takes: number | null;
  corpus: number | null;
}

export interface Telltale {
  feature: string;
  /** "the takes use a wider range than your pieces" */
  words: string;
  /** How well this feature alone tells them apart (0.5 = not at all, 1 = perfectly). */
  auc: number;
}

export interface Scorecard {
  model: string;
  checkpointId: number;
  checkpointEpoch: number;
  corpus: string;
  /** Where the passages continued came from. */
  passages: 'held-out' | 'corpus-pieces' | 'other-corpus';
  /** Said when the passages are not held out from the model. */
  note: string | null;
  takes: number;
  excerpts: number;
  /** Bars a take continues (and a corpus excerpt spans). */
  bars: number;
  features: FeatureFidelity[];
  meanOverlap: number;
  meanKl: number;
  /** Cross-validated AUC of a logistic regression telling takes from corpus excerpts (0.5 = cannot). */
  auc: number;
  telltales: Telltale[];
  copyBars: number;
  /** The corpus searched for copies (the one the model learned from, else the one measured). */
  copyCorpus: string;
  /** Share of takes whose longest match with the copy corpus exceeds copyBars. */
  copyRate: number;
  medianMatchBars: number;
  longestMatchBars: number;
  verdict: string;
  seconds: number;
}

export interface FidelityProgress {
  jobId: string;
  /** 'checkpoints': done and total count checkpoints (models.fidelityByCheckpoint). */
  phase: 'generating' | 'measuring' | 'checkpoints';
  done: number;
  total: number;
}

export const fidelityCheckpointsInput = z
  .object({
    id,
    corpusId: id,
    /** Takes a checkpoint (fewer than a full scorecard: several checkpoints are measured). */
    takes: z.number().int().min(6).max(200).default(18),
    copyBars: z.number().min(1).max(64).default(DEFAULT_COPY_BARS),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    jobId: z.string().min(1).max(100).optional(),
  })
  .strict();
export type FidelityCheckpointsInput = z.infer<typeof fidelityCheckpointsInput>;

/** Memorisation against style, checkpoint by checkpoint, with the one to stop at. */
export interface CheckpointFidelity {
  model: string;
  corpus: string;
  points: { checkpointId: number; epoch: number; valLoss: number | null; auc: number; meanOverlap: number; copyRate: number }[];
  /** The checkpoint that sounds most like the corpus (lowest AUC) without copying it (copy rate ≤ 5%), if any. */
  suggested: number | null;
  reason: string;
}
