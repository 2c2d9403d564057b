import type { BackendInfo } from '../../shared/api';
import type { ModelEvaluation } from '../../shared/evaluation';
import type { Control, TrainerMessage, TrainJob } from '../train/trainer';
import type { GenerateJob, GeneratorMessage } from '../generate/job';

/** Messages from the engine to the TF worker. */
export type ToTfWorker =
  | { type: 'init'; backend: string | undefined; native?: boolean }
  | { type: 'train'; job: TrainJob }
  | { type: 'control'; runId: number; control: Control }
  | { type: 'generate'; job: GenerateJob }
  | { type: 'generate.cancel'; jobId: string }
  | { type: 'evaluate'; jobId: string; dbPath: string; checkpointId: number; nativeBinding?: string }
  | { type: 'shutdown' };

/** Messages from the TF worker to the engine. */
export type FromTfWorker =
  | { type: 'ready'; backend: BackendInfo }
  | { type: 'error'; message: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  /** Not sent by the worker: the host reports the thread's end (a crash, or close). */
  | { type: 'exit'; code: number }
  | TrainerMessage
  | GeneratorMessage
  | { type: 'evaluate.done'; jobId: string; result: ModelEvaluation }
  | { type: 'evaluate.failed'; jobId: string; message: string };
