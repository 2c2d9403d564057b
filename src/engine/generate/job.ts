/** A generation job inside the TF worker: load the checkpoint, continue the passage, report. */
import type { GenerationProgress, Take } from '../../shared/generation';
import { Store } from '../store/store';
import { continuePassage, GenerationCancelled, type ContinueOptions } from './continue';
import { loadCheckpointModel } from './load';
import type { Passage } from './primer';

export interface GenerateJob {
  jobId: string;
  dbPath: string;
  nativeBinding?: string;
  checkpointId: number;
  passage: Passage;
  options: Omit<ContinueOptions, 'window'>;
}

export type GeneratorMessage =
  | { type: 'generate.progress'; progress: GenerationProgress }
  | { type: 'generate.done'; jobId: string; takes: Take[]; notices: string[]; seconds: number; firstNotesSeconds: number | null }
  | { type: 'generate.failed'; jobId: string; cancelled: boolean; message: string };

export async function runGeneration(job: GenerateJob, cancelled: () => boolean, post: (m: GeneratorMessage) => void): Promise<void> {
  const started = performance.now();
  let firstNotes: number | null = null;
  const store = Store.open(job.dbPath, { mustExist: true, ...(job.nativeBinding ? { nativeBinding: job.nativeBinding } : {}) });
  let loaded: ReturnType<typeof loadCheckpointModel> | null = null;
  try {
    loaded = loadCheckpointModel(store, store.training.checkpoint(job.checkpointId));
    const { takes, notices } = await continuePassage(
      loaded.model,
      loaded.vocab,
      job.passage,
      { ...job.options, window: loaded.window },
      {
        cancelled,
        previewMs: 200,
        progress: (done, total, previews) => {
          if (previews && firstNotes === null && previews.some((t) => t.notes.length > job.passage.notes.length)) firstNotes = (performance.now() - started) / 1000;
          const { ppq, tempos, timeSignatures } = job.passage;
          post({ type: 'generate.progress', progress: { jobId: job.jobId, done, total, takes: previews, timeline: previews ? { ppq, tempos, timeSignatures } : null } });
        },
      },
    );
    post({ type: 'generate.done', jobId: job.jobId, takes, notices, seconds: (performance.now() - started) / 1000, firstNotesSeconds: firstNotes });
  } catch (err) {
    post({ type: 'generate.failed', jobId: job.jobId, cancelled: err instanceof GenerationCancelled, message: err instanceof Error ? err.message : String(err) });
  } finally {
    loaded?.model.dispose();
    store.close();
  }
}
