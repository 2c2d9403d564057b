import type { ModelEvaluation } from '../../shared/evaluation';
import type { Store } from '../store/store';
import type { TfClient } from '../workers/tf-client';

/** Scores a model's checkpoint on its validation pieces, in the TF worker; the last score per checkpoint is kept in memory. */
export class EvaluationService {
  /** By checkpoint id and creation time: an id SQLite reuses after a deletion is another checkpoint. */
  private readonly cache = new Map<string, ModelEvaluation>();

  constructor(
    private readonly store: Store,
    private readonly tf: TfClient,
  ) {}

  async evaluate(modelId: number, checkpointId?: number): Promise<ModelEvaluation> {
    const checkpoint = this.store.runs.generationCheckpoint(modelId, checkpointId);
    const key = `${checkpoint.id}@${checkpoint.createdAt}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const result = await this.tf.request('evaluate', { checkpointId: checkpoint.id }).done;
    this.cache.set(key, result);
    return result;
  }
}
