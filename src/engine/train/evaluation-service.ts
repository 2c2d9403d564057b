import type { ModelEvaluation } from '../../shared/evaluation';
import type { ScoreReport } from '../../shared/scoring';
import type { Store } from '../store/store';
import type { TfClient } from '../workers/tf-client';

/** Scores models in the TF worker: a checkpoint on its validation pieces (kept in memory per checkpoint), or on any corpus. */
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

  /** The model's likelihood of a corpus's pieces it never trained on (its generation checkpoint, or the one given). */
  score(modelId: number, corpusId: number, options: { checkpointId?: number; detail?: boolean } = {}): Promise<ScoreReport> {
    const checkpoint = this.store.runs.generationCheckpoint(modelId, options.checkpointId);
    this.store.corpora.require(corpusId);
    return this.tf.request('score', { checkpointId: checkpoint.id, corpusId, detail: options.detail ?? false }).done;
  }
}
