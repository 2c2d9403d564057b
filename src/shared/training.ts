/** Training types that cross the API boundary, with the schemas that validate them. */
import { z } from 'zod';

/**
 * A model's settings: the architecture's name and its values. Each architecture validates its own
 * (the engine's registry knows them, and `architectures.list` describes them for forms).
 */
export type ModelSpec = { arch: string; [setting: string]: number | string | boolean | undefined };
export const modelSpec: z.ZodType<ModelSpec> = z.object({ arch: z.string().min(1).max(40) }).catchall(z.union([z.number(), z.string().max(200), z.boolean()]));
export type ArchitectureName = string;

export const hyperparams = z
  .object({
    epochs: z.number().int().min(1).max(100_000).default(20),
    batchSize: z.number().int().min(1).max(4096).default(64),
    sequenceLength: z.number().int().min(2).max(4096).default(64),
    /**
     * Steps between the starts of consecutive training windows. 0 (the default) tiles each piece
     * with windows, from a shift that changes every epoch, so an epoch learns each step once;
     * 1 starts a window at every step, as the seeds trained (an epoch then learns each step as
     * many times as a window is long). Models that predict one target a window always use 1.
     */
    stride: z.number().int().min(0).max(4096).default(0),
    learningRate: z.number().gt(0).max(1).default(0.001),
    optimizer: z.enum(['adam', 'rmsprop', 'sgd']).default('adam'),
    /** How the learning rate moves over the run: constant, or a warm-up then a cosine decay to a twentieth. */
    schedule: z.enum(['constant', 'cosine']).default('cosine'),
    /** Share of the run's steps spent warming the learning rate up from nothing. */
    warmup: z.number().min(0).max(0.5).default(0.03),
    /** Decoupled weight decay a step (AdamW-style) on the weight matrices; 0 = none. */
    weightDecay: z.number().min(0).max(1).default(0),
    /** Epochs without a better validation loss before stopping (0 = never stop early). */
    patience: z.number().int().min(0).max(10_000).default(5),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    validationFraction: z.number().min(0).max(0.5).default(0.1),
    /** Pieces held out for validation by title, in place of a random share (a benchmark's published split). */
    validationTitles: z.array(z.string().min(1).max(500)).max(100_000).optional(),
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
    clipNorm: z.number().min(0).max(1000).default(1),
    /** End cleanly, with a checkpoint, at the first batch boundary after this many seconds of this session. */
    maxSeconds: z.number().positive().max(30 * 24 * 3600).optional(),
  })
  .strict();

/**
 * Settings a run stored before they existed take the values that reproduce how it trained then
 * (a constant learning rate, no warm-up or decay), so an old run resumes exactly.
 */
export const LEGACY_HYPERPARAMS: Partial<Hyperparams> = { schedule: 'constant', warmup: 0, weightDecay: 0 };

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
  | { kind: 'fine-tune'; from: string; fromEpoch: number; corpus: string; newTokens: number; base?: boolean }
  | { kind: 'import'; file: string; originalName: string; exportedAt: string; exportedBy: string }
  | { kind: 'layers'; file: string; layers: string[] };

export interface ModelInfo {
  id: number;
  name: string;
  vocabularyId: number;
  corpusId: number | null;
  architecture: ArchitectureName;
  spec: ModelSpec;
  parameters: number;
  origin: ModelOrigin;
  /** The checkpoint Compose uses unless told otherwise (null: the latest run's best). */
  generationCheckpointId: number | null;
  /** A base model the studio ships (installed with a new database, reinstallable). */
  base: boolean;
  baseName: string | null;
  /** The base model this one personalises (generation can blend the two), or null. */
  basedOn: number | null;
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
  architecture: ArchitectureName;
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
  /** A shipped base model's own card: the music it learned with their licences, and its held-out score. */
  about?: BaseModelAbout;
}

export interface BaseModelAbout {
  summary: string;
  corpora: { title: string; licence: string }[];
  pieces: number;
  notes: number;
  heldOut: { pieces: number; notes: number; natsPerNote: number; exact: boolean } | null;
  madeAt: string;
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

/** A model's loss after an epoch, epochs counted over all its runs (continued runs follow on). */
export interface ModelCurvePoint {
  epoch: number;
  runId: number;
  loss: number | null;
  valLoss: number | null;
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
  /** Seconds to the run's planned end at the recent pace (null before a step has been timed). */
  etaSeconds: number | null;
  /** Optimizer steps the run plans in all. */
  plannedSteps: number;
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

/** What a run will cost on this machine, from a short calibration of its model (and, with a budget, the plan that fits it). */
export interface RunEstimate {
  spec: ModelSpec;
  hyperparams: Hyperparams;
  parameters: number;
  weightsMb: number;
  windowsPerEpoch: number;
  batchesPerEpoch: number;
  secondsPerStep: number;
  secondsPerEpoch: number;
  epochs: number;
  totalSeconds: number;
  /** The process's peak memory while the model trained in the calibration. */
  peakMemoryMb: number;
  /** Why a budget plan chose what it chose. */
  reasons?: string[];
}

/** The studio's choice for a corpus: how to encode it and which model to train, in words. */
export interface Recommendation {
  encoding: string;
  params: Record<string, string | number | boolean>;
  preset: string;
  spec: ModelSpec;
  hyperparams: Partial<Hyperparams>;
  reasons: string[];
  /**
   * The encoding of the base model to personalise: the one that follows the texture (chords, as
   * in keyboard music, → frame-pitches; single lines → events), whatever the best reading from
   * scratch is.
   */
  baseEncoding?: string;
  /** Notes sounding together, on average while any sounds: the texture in one number. */
  chordSize?: number;
  /** Notes of the corpus, and how many the recommended reading's round trip brings back unchanged. */
  roundTrip: { notes: number; exact: number };
}
