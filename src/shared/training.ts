/** Training types that cross the API boundary, with the schemas that validate them. */
import { z } from 'zod';

export const lstmSpec = z
  .object({
    arch: z.literal('lstm'),
    /**
     * How a token enters the network: through a learned embedding, or as the one number
     * id ÷ vocabulary size (seed 000's Keras model read its notes that way; kept for imported models).
     */
    input: z.enum(['embedding', 'scaled']).optional(),
    embedding: z.number().int().min(1).max(2048).default(64),
    units: z.number().int().min(1).max(4096).default(256),
    layers: z.number().int().min(1).max(8).default(1),
    /** Dropout between recurrent layers and before the output layer (seed 000: 0.3). */
    dropout: z.number().min(0).max(0.9).default(0),
    /** Width of the dense layer before the output (0 = none). */
    dense: z.number().int().min(0).max(4096).default(256),
  })
  .strict();

/** Seed 004: (pitch, step, duration) → LSTM → a pitch head (128 logits) and step and duration heads. */
export const psdLstmSpec = z
  .object({
    arch: z.literal('psd-lstm'),
    units: z.number().int().min(1).max(4096).default(128),
    layers: z.number().int().min(1).max(8).default(1),
  })
  .strict();

/**
 * Seed 002: embedding → bidirectional GRU layers → dense with LeakyReLU → softmax, predicting the
 * step after a window from the whole window (many-to-one: a bidirectional layer sees the future).
 */
export const bigruSpec = z
  .object({
    arch: z.literal('bigru'),
    embedding: z.number().int().min(1).max(2048).default(100),
    units: z.number().int().min(1).max(2048).default(128),
    layers: z.number().int().min(1).max(8).default(3),
    dense: z.number().int().min(1).max(4096).default(256),
    dropout: z.number().min(0).max(0.9).default(0),
  })
  .strict();

/** Seed 001: a restricted Boltzmann machine over windows of the note-state matrix, trained with CD-k. */
export const rbmSpec = z
  .object({
    arch: z.literal('rbm'),
    hidden: z.number().int().min(1).max(8192).default(64),
    /** Gibbs steps of contrastive divergence (seed 001: 1). */
    cdK: z.number().int().min(1).max(100).default(1),
  })
  .strict();

/**
 * A decoder-only Transformer over tokens (pre-norm, as GPT-2): causal self-attention with either
 * relative positions (ALiBi: a per-head penalty growing with distance, so generation can run past
 * the training window) or learned absolute positions up to `context`.
 */
export const transformerSpec = z
  .object({
    arch: z.literal('transformer'),
    /** Model width (embedding size); a multiple of `heads`. */
    embedding: z.number().int().min(8).max(2048).default(128),
    heads: z.number().int().min(1).max(32).default(4),
    layers: z.number().int().min(1).max(24).default(3),
    /** Width of each block's feed-forward layer. */
    feedForward: z.number().int().min(8).max(8192).default(512),
    dropout: z.number().min(0).max(0.9).default(0.1),
    positions: z.enum(['relative', 'learned']).default('relative'),
    /** Learned positions: the longest context the model can see (at least the sequence length). */
    context: z.number().int().min(2).max(8192).default(512),
  })
  .strict()
  .refine((s) => s.embedding % s.heads === 0, { message: 'embedding must be a multiple of heads', path: ['embedding'] });

/** Choices of the settings that are not numbers, for forms. */
export const SPEC_CHOICES: Record<string, readonly string[]> = { positions: ['relative', 'learned'] };

export const modelSpec = z.discriminatedUnion('arch', [lstmSpec, psdLstmSpec, bigruSpec, rbmSpec, transformerSpec]);
export type ModelSpec = z.infer<typeof modelSpec>;
export type Architecture = ModelSpec['arch'];

export const hyperparams = z
  .object({
    epochs: z.number().int().min(1).max(100_000).default(20),
    batchSize: z.number().int().min(1).max(4096).default(64),
    sequenceLength: z.number().int().min(2).max(4096).default(64),
    /** Steps between the starts of consecutive training windows (1 = every window, as the seeds trained). */
    stride: z.number().int().min(1).max(4096).default(1),
    learningRate: z.number().gt(0).max(1).default(0.001),
    optimizer: z.enum(['adam', 'rmsprop', 'sgd']).default('adam'),
    /** Epochs without a better validation loss before stopping (0 = never stop early). */
    patience: z.number().int().min(0).max(10_000).default(0),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    validationFraction: z.number().min(0).max(0.5).default(0.1),
    /** A periodic checkpoint every N epochs, keeping the last `keepLast`; the best is always kept. */
    checkpointEvery: z.number().int().min(1).max(10_000).default(1),
    keepLast: z.number().int().min(1).max(100).default(3),
    /** Transpose training windows by up to ± this many semitones (pitch-based encodings). */
    transpose: z.number().int().min(0).max(12).default(0),
    /** Weights of the heads of a several-headed model (seed 004: pitch 0.05, step 1, duration 1). */
    lossWeights: z
      .object({ pitch: z.number().min(0).max(100), step: z.number().min(0).max(100), duration: z.number().min(0).max(100) })
      .strict()
      .default({ pitch: 0.05, step: 1, duration: 1 }),
    /** Clip gradients to this global norm (0 = no clipping). */
    clipNorm: z.number().min(0).max(1000).default(0),
    /** End cleanly, with a checkpoint, at the first batch boundary after this many seconds. */
    maxSeconds: z.number().positive().max(30 * 24 * 3600).optional(),
  })
  .strict();

export type Hyperparams = z.infer<typeof hyperparams>;

/**
 * Some hyperparameters, none filled in by default: a continued or fine-tuned run takes the rest
 * from the run it starts from (`hyperparams.partial()` would fill every default in).
 */
export const hyperparamOverrides = z
  .object(Object.fromEntries(Object.entries(hyperparams.shape).map(([k, v]) => [k, (v instanceof z.ZodDefault ? v.unwrap() : v).optional()])))
  .strict() as unknown as z.ZodType<Partial<Hyperparams>>;

export type RunStatus = 'queued' | 'running' | 'paused' | 'completed' | 'stopped' | 'cancelled' | 'interrupted' | 'failed' | 'diverged';

/** Where a model came from: trained here, or copied, fine-tuned or imported from another. */
export type ModelOrigin =
  | { kind: 'trained' }
  | { kind: 'duplicate'; from: string }
  | { kind: 'fine-tune'; from: string; fromEpoch: number; corpus: string; newTokens: number }
  | { kind: 'import'; file: string; originalName: string; exportedAt: string; exportedBy: string }
  | { kind: 'layers'; file: string; layers: string[] };

export interface ModelInfo {
  id: number;
  name: string;
  vocabularyId: number;
  corpusId: number | null;
  architecture: Architecture;
  spec: ModelSpec;
  parameters: number;
  origin: ModelOrigin;
  /** The checkpoint Compose uses unless told otherwise (null: the latest run's best). */
  generationCheckpointId: number | null;
  createdAt: string;
  updatedAt: string;
}

/** A model as the Models page lists it. */
export interface ModelSummary extends ModelInfo {
  corpus: string | null;
  encoding: string;
  vocabularySize: number;
  /** Epochs over all its runs. */
  epochs: number;
  bestValLoss: number | null;
  /** Bytes its checkpoints, curves and generations take in the studio's database (about). */
  sizeBytes: number;
  checkpoints: number;
  backend: string | null;
  latestRunId: number | null;
  status: RunStatus | null;
  seconds: number;
}

/** The machine a run trained on, for the model card. */
export interface MachineInfo {
  os: string;
  arch: string;
  cpu: string;
  cores: number;
  memoryGb: number;
  backend: string;
  threads: number;
  simd: boolean;
}

export interface CardRun {
  hyperparams: Hyperparams;
  status: RunStatus;
  epochs: number;
  steps: number;
  bestValLoss: number | null;
  seconds: number;
  backend: string | null;
  machine: MachineInfo | null;
  /** What the run started from, when not from scratch ("my jigs, epoch 12"). */
  startedFrom: string | null;
  createdAt: string;
  endedAt: string | null;
  /** Training and validation loss per epoch. */
  curve: { epoch: number; loss: number | null; valLoss: number | null }[];
  /** True for runs done on another machine before the model was imported. */
  imported: boolean;
}

/** Everything a musician (or a colleague receiving the file) needs to know about a model. */
export interface ModelCard {
  name: string;
  architecture: Architecture;
  spec: ModelSpec;
  parameters: number;
  origin: ModelOrigin;
  corpus: { name: string; hash: string | null; pieces: number; steps: number };
  vocabulary: { encoding: string; encodingVersion: number; params: Record<string, string | number | boolean>; size: number; coverage: number };
  runs: CardRun[];
  auditions: { epoch: number; kind: CheckpointInfo['kind']; valLoss: number | null; audition: CheckpointAudition }[];
  trainingSeconds: number;
  epochs: number;
  bestValLoss: number | null;
  createdAt: string;
}

export interface RunInfo {
  id: number;
  modelId: number;
  model: string;
  hyperparams: Hyperparams;
  status: RunStatus;
  message: string | null;
  backend: string | null;
  epoch: number;
  step: number;
  bestValLoss: number | null;
  seconds: number;
  createdAt: string;
  endedAt: string | null;
}

export interface MetricPoint {
  kind: 'batch' | 'epoch';
  step: number;
  epoch: number;
  loss: number | null;
  valLoss: number | null;
  heads: Record<string, number> | null;
  at: number;
}

export interface CheckpointInfo {
  id: number;
  runId: number;
  kind: 'best' | 'periodic' | 'last';
  epoch: number;
  step: number;
  loss: number | null;
  valLoss: number | null;
  /** A short continuation of the run's fixed primer, rendered when the checkpoint was saved. */
  audition: CheckpointAudition | null;
  createdAt: string;
}

/** What a checkpoint sounds like: the run's fixed primer and the model's continuation of it. */
export interface CheckpointAudition {
  primerLabel: string;
  ppq: number;
  tempos: { tick: number; usPerQuarter: number }[];
  notes: { pitch: number; velocity: number; startTick: number; endTick: number; startSec: number; endSec: number; program: number }[];
  seamTick: number;
  seamSec: number;
  seconds: number;
}

/** Pushed as a run trains. */
export interface BatchProgress {
  runId: number;
  epoch: number;
  batch: number;
  batches: number;
  step: number;
  loss: number;
  heads: Record<string, number> | null;
  samplesPerSecond: number;
}

export interface EpochProgress {
  runId: number;
  epoch: number;
  epochs: number;
  step: number;
  loss: number;
  valLoss: number | null;
  heads: Record<string, number> | null;
  valHeads: Record<string, number> | null;
  seconds: number;
  etaSeconds: number;
}
