/**
 * The one API contract between the engine and every client (renderer over IPC or WebSocket,
 * CLI, tests). Methods are named `area.verb`; each has an input schema validated at the
 * boundary and a result type. Events are pushed from the engine to all clients.
 */
import { z } from 'zod';
import type { Reply } from './reply';
import type { PersonalGain } from './personal-gain';
import { ENCODING_KINDS, type DecodedNotes, type EncodingInfo, type RoundTripReport, type VocabularySummary, type VocabularyToken } from './encoding';
import { hyperparamOverrides, hyperparams, modelSpec, type BatchProgress, type CheckpointInfo, type EpochProgress, type MetricPoint, type ModelCard, type ModelCurvePoint, type ModelInfo, type ModelSummary, type Recommendation, type RunEstimate, type RunInfo } from './training';
import { generateInput, type GenerationInfo, type GenerationProgress, type GenerationSummary } from './generation';
import type { GenerationCheck } from './originality';
import type { ModelEvaluation } from './evaluation';
import type { ArchitectureInfo } from './architectures';
import type { ScoreReport } from './scoring';
import { libraryInputs, type LibraryResults, type LibraryStatus } from './library-care';
import { fidelityCheckpointsInput, fidelityInput, type CheckpointFidelity, type FidelityProgress, type Scorecard } from './fidelity';
import type { CorpusCheck, CorpusSummary, ImportProgress, ImportSummary, PieceDetail, PieceSummary, TrackRule } from './library';

const none = z.object({}).strict();
const id = z.number().int().positive();
const corpusName = z.string().trim().min(1, 'a corpus needs a name').max(200);
/** The longest model name (a rename's limit; a name from a model file is cut to it). */
export const MODEL_NAME_MAX = 200;
const modelName = z.string().trim().min(1, 'a model needs a name').max(MODEL_NAME_MAX);
/** A time budget for a run, in minutes (a week at most). */
const budget = z.number().positive('a time budget must be more than 0 minutes').max(7 * 24 * 60);
const trackRule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('first-instrument') }).strict(),
  z.object({ kind: z.literal('piano') }).strict(),
  z.object({ kind: z.literal('non-drum') }).strict(),
  z.object({ kind: z.literal('programs'), programs: z.array(z.number().int().min(0).max(127)).min(1).max(128) }).strict(),
]);

export const methodInputs = {
  ...libraryInputs,
  /** Versions, backend, database: what the status bar shows. */
  'engine.info': none,
  /** Liveness check with an optional echo, used by clients to measure round trips. */
  'engine.ping': z.object({ echo: z.string().max(1000).optional() }).strict(),

  'corpora.list': none,
  'corpora.get': z.object({ id }).strict(),
  'corpora.create': z.object({ name: corpusName }).strict(),
  'corpora.rename': z.object({ id, name: corpusName }).strict(),
  /** Deletes the corpus and its pieces; `confirm` guards against a stray call. */
  'corpora.delete': z.object({ id, confirm: z.literal(true) }).strict(),
  'corpora.setTrackRule': z.object({ id, rule: trackRule }).strict(),
  /** Imports files and folders (recursively) from disk into a corpus, creating it if needed. */
  'corpora.import': z
    .object({
      corpus: corpusName,
      paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000),
      importId: z.string().min(1).max(100).optional(),
    })
    .strict(),
  /** Imports files sent as bytes (the web studio's picker and drag-and-drop); base64, ≤ 64 MB a file. */
  'corpora.importFiles': z
    .object({
      corpus: corpusName,
      files: z
        .array(
          z
            .object({
              name: z.string().min(1).max(1024),
              data: z.base64().max(90_000_000),
            })
            .strict(),
        )
        .min(1)
        .max(1000),
      importId: z.string().min(1).max(100).optional(),
    })
    .strict(),
  'corpora.cancelImport': z.object({ importId: z.string().min(1).max(100) }).strict(),
  /** What training would use and drop, and why; warns when the corpus is small for the model. */
  'corpora.check': z.object({ id, modelParameters: z.number().int().positive().optional() }).strict(),

  'pieces.list': z
    .object({
      corpusId: id,
      search: z.string().max(200).optional(),
      sort: z.enum(['title', 'duration', 'notes', 'imported']).optional(),
      descending: z.boolean().optional(),
      limit: z.number().int().min(1).max(10_000).optional(),
      offset: z.number().int().min(0).optional(),
    })
    .strict(),
  'pieces.get': z.object({ id }).strict(),
  'pieces.move': z.object({ pieceIds: z.array(id).min(1).max(100_000), toCorpusId: id }).strict(),
  'pieces.delete': z.object({ pieceIds: z.array(id).min(1).max(100_000), confirm: z.literal(true) }).strict(),

  /** The encodings, their parameters, and what each keeps and loses. */
  'encodings.list': none,
  /** Encodes a corpus and builds its vocabulary (reused when an identical one exists). */
  'vocabularies.build': z
    .object({
      corpusId: id,
      encoding: z.enum(ENCODING_KINDS),
      params: z.record(z.string().max(64), z.union([z.string().max(200), z.number(), z.boolean()])).optional(),
      minCount: z.number().int().min(1).max(1_000_000).optional(),
      maxSize: z.number().int().min(5).max(1_000_000).optional(),
      rebuild: z.boolean().optional(),
    })
    .strict(),
  'vocabularies.list': z.object({ corpusId: id.optional() }).strict(),
  'vocabularies.get': z.object({ id }).strict(),
  'vocabularies.tokens': z
    .object({ id, offset: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(5000).optional(), search: z.string().max(200).optional() })
    .strict(),
  /** Notes that tokens decode to (to hear a token, or a generated sequence). */
  'vocabularies.decode': z.object({ id, tokens: z.array(z.string().max(2000)).min(1).max(20_000) }).strict(),
  'vocabularies.delete': z.object({ id, confirm: z.literal(true) }).strict(),

  /** The architectures a model can have: their settings for a form, and their presets. */
  'architectures.list': none,
  /** Creates a model on a vocabulary and queues its first training run. */
  /**
   * Creates a model on a vocabulary and queues its first training run. With `budgetMinutes` the
   * engine fits the model's size, epochs and schedule to that time on this machine first.
   */
  'training.start': z
    .object({
      vocabularyId: id,
      model: z.string().trim().min(1, 'a model needs a name').max(200),
      spec: modelSpec,
      hyperparams: hyperparams.partial().optional(),
      budgetMinutes: budget.optional(),
    })
    .strict(),
  'training.pause': z.object({ runId: id }).strict(),
  /** Resumes a paused, stopped or interrupted run from its last checkpoint; `maxMinutes` sets a new time limit for this session. */
  'training.resume': z.object({ runId: id, maxMinutes: z.number().positive().max(30 * 24 * 60).optional() }).strict(),
  /** Ends a run cleanly at the next batch, with a checkpoint; it can be resumed. */
  'training.stop': z.object({ runId: id }).strict(),
  /** Ends a run; its checkpoints are kept. */
  'training.cancel': z.object({ runId: id }).strict(),
  'training.status': none,
  /** What a run would cost here (time an epoch and in all, memory), from a short calibration; with a budget, the plan that fits it. */
  'training.estimate': z.object({ vocabularyId: id, spec: modelSpec, hyperparams: hyperparams.partial().optional(), budgetMinutes: budget.optional() }).strict(),
  /** The encoding, its settings and the model the studio recommends for a corpus, with its reasons. */
  'training.recommend': z.object({ corpusId: id }).strict(),
  'models.list': none,
  'models.rename': z.object({ id, name: modelName }).strict(),
  /** Deletes a model with its runs, curves, checkpoints and generations; `confirm` guards against a stray call, `confirmBase` too for a base model. */
  'models.delete': z.object({ id, confirm: z.literal(true), confirmBase: z.literal(true).optional() }).strict(),
  'runs.list': z.object({ modelId: id.optional() }).strict(),
  'runs.metrics': z.object({ runId: id }).strict(),
  'runs.checkpoints': z.object({ runId: id }).strict(),
  /** Validation loss, perplexity and accuracy of a checkpoint (the best of the latest run by default), overall and by kind of token. */
  'models.evaluate': z.object({ modelId: id, checkpointId: id.optional() }).strict(),
  /** A model's loss curve over all its runs, one point an epoch (continued runs follow on). */
  'models.curve': z.object({ id }).strict(),
  /**
   * The model's likelihood of a corpus (pieces it trained on left out): nats in all, a note and a
   * token, whether the encoding writes the pieces exactly. `detail` adds each piece's nats step by step.
   */
  'models.score': z.object({ id, corpusId: id, checkpointId: id.optional(), detail: z.boolean().optional() }).strict(),
  /** The style scorecard: takes continued from the corpus's held-out passages against the corpus (features, a classifier, copies). */
  'models.fidelity': fidelityInput,
  'models.cancelFidelity': z.object({ jobId: z.string().min(1).max(100) }).strict(),
  /** The scorecard of every checkpoint of the latest run (AUC and copy rate against the loss), with the one to stop at. */
  'models.fidelityByCheckpoint': fidelityCheckpointsInput,
  /** Every checkpoint of a model (with its audition), to choose one to generate from. */
  'models.checkpoints': z.object({ modelId: id }).strict(),
  /** A copy of a model (runs, curves, checkpoints) under a new name ("… copy" when none is given). */
  'models.duplicate': z.object({ id, name: modelName.optional() }).strict(),
  /** Chooses the checkpoint Compose generates from; null goes back to the latest run's best. */
  'models.setGenerationCheckpoint': z.object({ id, checkpointId: id.nullable() }).strict(),
  /** A new run of the model from its checkpoint (the furthest of its latest run by default), on its own corpus. */
  'models.continue': z.object({ modelId: id, checkpointId: id.optional(), hyperparams: hyperparamOverrides.optional() }).strict(),
  /** A new model that starts from this one's checkpoint and learns another corpus (vocabulary extended, not replaced). */
  'models.fineTune': z
    .object({ modelId: id, corpusId: id, name: modelName, checkpointId: id.optional(), hyperparams: hyperparamOverrides.optional(), budgetMinutes: budget.optional() })
    .strict(),
  /**
   * Personalises a base model on a musician's corpus: a fine-tuned copy (vocabulary extended
   * where their music has tokens the base lacks), its epochs fitted to `budgetMinutes`; the base
   * is the one named, or with `base: 'auto'` the one that fits the corpus.
   */
  'models.personalize': z
    .object({ corpusId: id, name: modelName, base: z.union([id, z.literal('auto')]), hyperparams: hyperparamOverrides.optional(), budgetMinutes: budget.optional() })
    .strict(),
  /** What personalising would cost here (a calibration of the base on the musician's corpus), before Start. */
  'models.personalizeEstimate': z
    .object({ corpusId: id, base: z.union([id, z.literal('auto')]), hyperparams: hyperparamOverrides.optional(), budgetMinutes: budget.optional() })
    .strict(),
  /** The installed base model that fits a corpus best, and why. */
  'models.baseFor': z.object({ corpusId: id }).strict(),
  /** A personalised model against its base, on its corpus's pieces it never trained on. */
  'models.personalGain': z.object({ id }).strict(),
  /** Installs the shipped base models again where they are missing (one by catalog name, or all). */
  'models.reinstallBase': z.object({ name: z.string().min(1).max(100).optional() }).strict(),
  /** The model card: corpus and its hash, encoding, hyperparameters, curves, auditions, training time and machine. */
  'models.card': z.object({ id }).strict(),
  /** A model as one file (base64), at its generation checkpoint or the one given; optimizer state only when asked. */
  'models.export': z.object({ id, checkpointId: id.optional(), optimizer: z.boolean().default(false) }).strict(),
  /** The same, written to a path on this machine (the desktop app and the CLI). */
  'models.exportToFile': z.object({ id, path: z.string().min(1).max(4096), checkpointId: id.optional(), optimizer: z.boolean().default(false) }).strict(),
  /** Imports a model file sent as bytes (the web studio); nothing is stored unless the whole file checks out. */
  'models.import': z.object({ fileName: z.string().min(1).max(1024), data: z.base64().max(140_000_000), name: modelName.optional() }).strict(),
  /** Imports a model file from a path on this machine. */
  'models.importFile': z.object({ path: z.string().min(1).max(4096), name: modelName.optional() }).strict(),
  /**
   * Imports a TF.js Layers model (model.json, its weight files, and the vocabulary it was trained
   * with: a JSON array, a JSON {token: id} object, or one token a line) sent as bytes.
   */
  'models.importLayers': z
    .object({
      name: modelName,
      modelJson: z.object({ name: z.string().min(1).max(1024), data: z.base64().max(20_000_000) }).strict(),
      weights: z.array(z.object({ name: z.string().min(1).max(1024), data: z.base64().max(140_000_000) }).strict()).min(1).max(200),
      vocabulary: z.object({ name: z.string().min(1).max(1024), data: z.base64().max(20_000_000) }).strict(),
      encoding: z.enum(ENCODING_KINDS).optional(),
    })
    .strict(),
  /** The same from paths on this machine: the weight files are found beside model.json, as its manifest names them. */
  'models.importLayersFiles': z
    .object({ modelJson: z.string().min(1).max(4096), vocabulary: z.string().min(1).max(4096), name: modelName.optional(), encoding: z.enum(ENCODING_KINDS).optional() })
    .strict(),

  /** Continues a passage with a model: several takes, stored when finished. `jobId` (chosen by the caller) lets it be cancelled. */
  'generations.generate': generateInput.extend({ jobId: z.string().min(1).max(100).optional() }),
  /** Cancels a running generation; `keep` stops it instead, storing its takes as far as they got. */
  'generations.cancel': z.object({ jobId: z.string().min(1).max(100), keep: z.boolean().optional() }).strict(),
  'generations.list': z.object({ modelId: id.optional(), starred: z.boolean().optional() }).strict(),
  'generations.get': z.object({ id }).strict(),
  'generations.rename': z.object({ id, name: z.string().trim().min(1, 'a generation needs a name').max(200) }).strict(),
  'generations.star': z.object({ id, starred: z.boolean() }).strict(),
  /** Stars one take (a keeper); the generation is starred while any take is. */
  'generations.starTake': z.object({ id, take: z.number().int().min(0).max(15), starred: z.boolean() }).strict(),
  'generations.delete': z.object({ id, confirm: z.literal(true) }).strict(),
  /** Generations as MIDI files (base64): one file per take, or a file per generation with a track per take. */
  'generations.export': z
    .object({
      ids: z.array(id).min(1).max(500),
      part: z.enum(['whole', 'continuation']).default('whole'),
      /** A grid such as "1/16" or "1/8t", or null to keep the timing as generated. */
      quantize: z.string().max(8).nullable().default(null),
      layout: z.enum(['files', 'tracks']).default('files'),
      takes: z.array(z.number().int().min(0).max(15)).min(1).max(16).optional(),
    })
    .strict(),
  /** The same, written into a folder on this machine (the desktop app and the CLI). */
  'generations.exportToFolder': z
    .object({
      ids: z.array(id).min(1).max(500),
      folder: z.string().min(1).max(4096),
      part: z.enum(['whole', 'continuation']).default('whole'),
      quantize: z.string().max(8).nullable().default(null),
      layout: z.enum(['files', 'tracks']).default('files'),
      takes: z.array(z.number().int().min(0).max(15)).min(1).max(16).optional(),
    })
    .strict(),
  /** Does each take copy the model's corpus (the longest stretch found there, in any key), and how does its style compare? */
  'generations.check': z.object({ id, threshold: z.number().int().min(2).max(1000).default(8) }).strict(),
  /** Makes one take again (another seed), keeping the others. */
  'generations.regenerate': z
    .object({ id, take: z.number().int().min(0).max(15), seed: z.number().int().min(0).max(2 ** 31 - 1).optional(), jobId: z.string().min(1).max(100).optional() })
    .strict(),
} as const;

export type MethodName = keyof typeof methodInputs;
export type MethodInput<M extends MethodName> = z.input<(typeof methodInputs)[M]>;
export type ParsedInput<M extends MethodName> = z.output<(typeof methodInputs)[M]>;

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** The TF.js backend the engine's workers train and generate with. */
  name: BackendName;
  threads: number;
  simd: boolean;
  /** Whether the hand-written WebAssembly kernels run (LSTM and GRU layers, cross-entropy): the fast path. */
  fusedKernels: boolean;
  tfjsVersion: string;
  /** Why a faster backend was not used (for example, native TensorFlow is not installed). */
  fallbackReasons: string[];
}

export interface EngineInfo {
  app: { name: 'Etude'; version: string };
  versions: { node: string; electron: string | null; tfjs: string; sqlite: string };
  backend: BackendInfo;
  /** `readOnly`: why the library is open read-only (its disk was full when it was opened), else null. */
  database: { path: string; schemaVersion: number; latestSchemaVersion: number; readOnly?: string | null };
  /** Free space on the library's disk, and the warning shown while it is low. */
  disk?: { freeBytes: number | null; warning: string | null };
  platform: string;
}

export interface MethodResults extends LibraryResults {
  'engine.info': EngineInfo;
  'engine.ping': { pong: true; echo: string | null; at: number };
  'corpora.list': CorpusSummary[];
  'corpora.get': CorpusSummary;
  'corpora.create': CorpusSummary;
  'corpora.rename': CorpusSummary;
  'corpora.delete': { deletedPieces: number };
  'corpora.setTrackRule': CorpusSummary;
  'corpora.import': ImportSummary;
  'corpora.importFiles': ImportSummary;
  'corpora.cancelImport': { cancelled: boolean };
  'corpora.check': CorpusCheck;
  'pieces.list': { total: number; pieces: PieceSummary[] };
  'pieces.get': PieceDetail;
  'pieces.move': { moved: number; duplicates: number };
  'pieces.delete': { deleted: number };
  'encodings.list': EncodingInfo[];
  'vocabularies.build': VocabularySummary;
  'vocabularies.list': VocabularySummary[];
  'vocabularies.get': VocabularySummary;
  'vocabularies.tokens': { total: number; tokens: VocabularyToken[] };
  'vocabularies.decode': DecodedNotes;
  'vocabularies.delete': { deleted: true };
  'architectures.list': ArchitectureInfo[];
  'training.start': RunInfo;
  'training.pause': RunInfo;
  'training.resume': RunInfo;
  'training.stop': RunInfo;
  'training.cancel': RunInfo;
  'training.status': { active: RunInfo | null; queued: RunInfo[] };
  'training.estimate': RunEstimate;
  'training.recommend': Recommendation;
  'models.list': ModelSummary[];
  'models.duplicate': ModelInfo;
  'models.setGenerationCheckpoint': ModelInfo;
  'models.continue': RunInfo;
  'models.fineTune': { model: ModelInfo; run: RunInfo; newTokens: number };
  'models.personalize': { model: ModelInfo; run: RunInfo; newTokens: number; base: ModelInfo; reasons: string[] };
  'models.baseFor': { model: ModelInfo; reasons: string[] };
  'models.personalGain': PersonalGain;
  /** `reading`: how the base's encoding writes this corpus (what a round trip keeps), to say it in words. */
  'models.personalizeEstimate': { estimate: RunEstimate; base: ModelInfo; newTokens: number; reasons: string[]; reading?: { encoding: string; roundTrip: RoundTripReport } };
  'models.reinstallBase': { installed: ModelInfo[] };
  'models.card': ModelCard;
  'models.export': { name: string; data: string };
  'models.exportToFile': { path: string; bytes: number };
  'models.import': ModelInfo;
  'models.importFile': ModelInfo;
  'models.importLayers': ModelInfo;
  'models.importLayersFiles': ModelInfo;
  'models.rename': ModelInfo;
  'models.delete': { runs: number; checkpoints: number; generations: number };
  'runs.list': RunInfo[];
  'runs.metrics': MetricPoint[];
  'runs.checkpoints': CheckpointInfo[];
  'models.checkpoints': CheckpointInfo[];
  'models.curve': ModelCurvePoint[];
  'models.score': ScoreReport;
  'models.fidelity': Scorecard;
  'models.cancelFidelity': { cancelled: boolean };
  'models.fidelityByCheckpoint': CheckpointFidelity;
  'models.evaluate': ModelEvaluation;
  'generations.generate': GenerationInfo;
  'generations.cancel': { cancelled: boolean };
  'generations.list': GenerationSummary[];
  'generations.get': GenerationInfo;
  'generations.rename': GenerationInfo;
  'generations.star': GenerationInfo;
  'generations.starTake': GenerationInfo;
  'generations.delete': { deleted: true };
  'generations.regenerate': GenerationInfo;
  /** Each MIDI file (base64) with its sidecar: the takes' provenance as JSON text, to save beside it. */
  'generations.export': { files: { name: string; data: string; sidecar: { name: string; text: string } }[] };
  'generations.check': GenerationCheck;
  'generations.exportToFolder': { files: string[] };
}

export type { TrackRule };

export type MethodResult<M extends MethodName> = MethodResults[M];

export interface EngineEvents {
  /** The engine is ready, or closing. */
  'engine.status': { state: 'ready' | 'closing'; at: number };
  /** Progress of a running import: every 100 ms or 25 files, and at start and end. */
  'corpora.importProgress': ImportProgress;
  /** Progress of a vocabulary build: pieces encoded so far. */
  'vocabularies.progress': { corpusId: number; done: number; total: number };
  'training.batch': BatchProgress;
  'training.epoch': EpochProgress;
  /** A run changed state (queued, running, paused, completed…). */
  'training.status': { run: RunInfo };
  'training.checkpoint': { runId: number; checkpointId: number; kind: CheckpointInfo['kind']; epoch: number; step: number };
  /** A generation's progress, with its takes so far now and then (to play the first notes at once). */
  'generations.progress': GenerationProgress;
  /** A style scorecard's progress: takes made so far, then measuring. */
  'models.fidelityProgress': FidelityProgress;
  /** Models were added, renamed, copied, imported or deleted: lists should refresh. */
  'models.changed': { modelId: number | null };
  /** Generations were added, changed or deleted: lists should refresh. */
  'generations.changed': { modelId: number };
  /** Corpora or pieces changed: lists should refresh. */
  'corpora.changed': { corpusId: number | null };
  /** The library was checked or backed up: the status bar's "last backup", and any damage in words. */
  'library.status': LibraryStatus;
}

export type EventName = keyof EngineEvents;
export type EventMessage = { [E in EventName]: { event: E; payload: EngineEvents[E] } }[EventName];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methodInputs, name);
}

/** What the renderer (and any other client) programs against; it never knows the transport. */
export interface EtudeClient {
  readonly transport: 'ipc' | 'websocket' | 'direct';
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>>;
  on<E extends EventName>(event: E, listener: (payload: EngineEvents[E]) => void): () => void;
}

/** The narrow surface the Electron preload exposes as `window.etude`. */
export interface EtudeBridge {
  call(method: string, input: unknown): Promise<Reply<unknown>>;
  onEvent(listener: (message: EventMessage) => void): () => void;
  /** The desktop's native open dialog: paths of chosen MIDI/ABC files, or of one folder; [] when cancelled. */
  chooseImportPaths(kind: 'files' | 'folder'): Promise<string[]>;
  /** Writes a take's MIDI file where a drag can pick it up; its path, or null. */
  prepareDrag(generationId: number, take: number): Promise<string | null>;
  /** Starts a native drag of a prepared file out of the window (into a DAW, a folder). */
  startDrag(file: string): void;
  /** The desktop's native folder picker, for exports; null when cancelled. */
  chooseExportFolder(): Promise<string | null>;
}
