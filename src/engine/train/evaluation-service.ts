import { randomUUID } from 'node:crypto';
import { EtudeError } from '../../shared/errors';
import type { ModelEvaluation } from '../../shared/evaluation';
import type { Store } from '../store/store';
import type { FromTfWorker } from '../workers/protocol';
import type { TfHost } from '../workers/tf-host';

/** Scores a model's checkpoint on its validation pieces, in the TF worker; the last score per checkpoint is kept in memory. */
export class EvaluationService {
  private readonly pending = new Map<string, { resolve: (r: ModelEvaluation) => void; reject: (e: Error) => void }>();
  /** By checkpoint id and creation time: an id SQLite reuses after a deletion is another checkpoint. */
  private readonly cache = new Map<string, ModelEvaluation>();

  constructor(
    private readonly store: Store,
    private readonly tf: TfHost,
    private readonly job: { dbPath: string; nativeBinding?: string },
  ) {
    tf.onMessage((m) => this.onWorker(m));
  }

  async evaluate(modelId: number, checkpointId?: number): Promise<ModelEvaluation> {
    const checkpoint = this.store.training.generationCheckpoint(modelId, checkpointId);
    const key = `${checkpoint.id}@${checkpoint.createdAt}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const jobId = randomUUID();
    const done = new Promise<ModelEvaluation>((resolve, reject) => this.pending.set(jobId, { resolve, reject }));
    try {
      await this.tf.send({ type: 'evaluate', jobId, dbPath: this.job.dbPath, checkpointId: checkpoint.id, ...(this.job.nativeBinding ? { nativeBinding: this.job.nativeBinding } : {}) });
      const result = await done;
      this.cache.set(key, result);
      return result;
    } finally {
      this.pending.delete(jobId);
    }
  }

  private onWorker(m: FromTfWorker): void {
    if (m.type === 'evaluate.done') this.pending.get(m.jobId)?.resolve(m.result);
    else if (m.type === 'evaluate.failed') this.pending.get(m.jobId)?.reject(new EtudeError('internal', `the evaluation failed: ${m.message}`));
    else if (m.type === 'exit') for (const p of this.pending.values()) p.reject(new EtudeError('unavailable', `the TF worker stopped (code ${m.code})`));
  }
}
