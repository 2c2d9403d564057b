/**
 * Every message between the engine (main thread) and a TF worker, and nothing else: the jobs a
 * worker runs, with their inputs, progress, results and controls. Job code on both sides imports
 * its types from here, never the other way round.
 */
import type { BackendInfo } from '../../shared/api';
import type { ApiErrorData } from '../../shared/errors';
import type { ModelEvaluation } from '../../shared/evaluation';
import type { FidelityProgress, Scorecard } from '../../shared/fidelity';
import type { GenerationInfo, GenerationProgress, Take } from '../../shared/generation';
import type { Passage } from '../../shared/music/passage';
import type { ScoreReport } from '../../shared/scoring';
import type { BatchProgress, CheckpointInfo, EpochProgress, Hyperparams, ModelSpec, RunStatus } from '../../shared/training';

/** What a training run reports as it goes. */
export type TrainEvent =
  | { type: 'status'; runId: number; status: RunStatus; message: string | null }
  | { type: 'batch'; progress: BatchProgress }
  | { type: 'epoch'; progress: EpochProgress }
  | { type: 'checkpoint'; runId: number; checkpointId: number; kind: CheckpointInfo['kind']; epoch: number; step: number };

/** How a run ended (the run's row holds the same). */
export interface TrainResult {
  runId: number;
  status: RunStatus;
  message: string | null;
}

export type TrainControl = 'run' | 'pause' | 'stop' | 'cancel';

/** Sampling settings of a generation, as the API takes them. */
export type GenerationOptions = Omit<GenerationInfo['params'], 'checkpointId'>;

export interface GenerateResult {
  takes: Take[];
  notices: string[];
  seconds: number;
  /** Seconds from the request to the first continuation notes. */
  firstNotesSeconds: number | null;
}

/** What a short calibration of a run's model on this machine measured (see jobs/calibrate.ts). */
export interface Calibration {
  windowsPerEpoch: number;
  batchesPerEpoch: number;
  secondsPerStep: number;
  validationBatches: number;
  validationSecondsPerBatch: number;
  peakRssMb: number;
  parameters: number;
}

/** Each job kind: what it takes, what it reports meanwhile, what it returns, how it can be steered. */
export interface Jobs {
  train: { input: { runId: number }; progress: TrainEvent; result: TrainResult; control: TrainControl };
  generate: {
    /** `blend`: the base model's checkpoint and weight when a personalised model is blended with its base. */
    input: { checkpointId: number; passage: Passage; options: GenerationOptions; blend?: { checkpointId: number; weight: number } };
    progress: Omit<GenerationProgress, 'jobId'>;
    result: GenerateResult;
    /** 'cancel' throws the takes away; 'stop' ends them where they are and keeps them. */
    control: 'cancel' | 'stop';
  };
  evaluate: { input: { checkpointId: number }; progress: never; result: ModelEvaluation; control: never };
  calibrate: { input: { vocabularyId: number; spec: ModelSpec; hyperparams: Hyperparams }; progress: never; result: Calibration; control: never };
  score: { input: { checkpointId: number; corpusId: number; detail: boolean }; progress: never; result: ScoreReport; control: 'cancel' };
  /** The style scorecard (jobs/fidelity.ts), in the generation worker. */
  fidelity: {
    input: { checkpointId: number; corpusId: number; takes: number; copyBars: number; seed: number; sampling: { temperature: number; topK: number; topP: number; greedy: boolean } };
    progress: Omit<FidelityProgress, 'jobId'>;
    result: Scorecard;
    control: 'cancel';
  };
}

export type JobKind = keyof Jobs;

/** The database a job opens (the worker's own connection; WAL lets it write while the main thread reads). */
export interface JobDatabase {
  path: string;
  /** better-sqlite3 binary for this runtime's ABI (Electron passes its own build). */
  nativeBinding?: string;
}

/** What the worker's TF runtime holds now (the engine's probe between jobs, the tests' leak check, the soak benchmark). */
export interface WorkerMemory {
  /** Tensors alive in the TF engine (variables included). */
  numTensors: number;
  /** Bytes those tensors hold. */
  numBytes: number;
  /** Buffers the backend holds, tracked by the engine or not. */
  dataIds: number;
  /** The WebAssembly heap's size (it grows, never shrinks); null off the WASM backend. */
  wasmHeapBytes: number | null;
  /** The process's resident set (MB): all workers and the main thread together. */
  rssMb: number;
  /** Models the worker keeps loaded for the next job. */
  cachedModels: number;
}

export type ToWorker =
  | { type: 'init'; backend: string | undefined; native: boolean; modelCacheMb: number }
  | { type: 'memory'; id: string }
  | { [K in JobKind]: { type: 'request'; id: string; kind: K; input: Jobs[K]['input']; db: JobDatabase } }[JobKind]
  | { type: 'control'; id: string; control: string }
  | { type: 'shutdown' };

export type FromWorker =
  | { type: 'ready'; backend: BackendInfo }
  | { type: 'init-failed'; error: ApiErrorData }
  | { type: 'progress'; id: string; progress: unknown }
  | { type: 'result'; id: string; value: unknown }
  | { type: 'memory'; id: string; memory: WorkerMemory }
  /** `fatal`: the runtime aborted or ran out of memory, and the worker must be replaced. */
  | { type: 'failure'; id: string; error: ApiErrorData; fatal?: boolean };
