import type { EngineEvents, EventName } from '../shared/api';
import type { Store } from './store/store';
import type { TfClient } from './workers/tf-client';
import type { FileParser } from './parse/file-parser';
import type { TrainingService } from './train/service';
import type { GenerationService } from './generate/service';
import type { OriginalityService } from './originality/check';
import type { EvaluationService } from './train/evaluation-service';
import type { LibraryCare } from './library/service';
import type { FidelityService } from './fidelity/service';

/** What a handler may use: the store, the TF worker, and a way to push events to clients. */
export interface EngineContext {
  store: Store;
  tf: TfClient;
  training: TrainingService;
  generation: GenerationService;
  originality: OriginalityService;
  evaluation: EvaluationService;
  /** Backups and checks of the library. */
  library: LibraryCare;
  /** Style scorecards, in the generation worker. */
  fidelity: FidelityService;
  /** Reads imported files in a process of its own (time and memory limits). */
  parser: FileParser;
  /** Running imports by id, so a client can cancel one. */
  imports: Map<string, AbortController>;
  emit<E extends EventName>(event: E, payload: EngineEvents[E]): void;
}
