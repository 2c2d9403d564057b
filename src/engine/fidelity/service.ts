import { randomUUID } from 'node:crypto';
import type { EngineEvents, EventName } from '../../shared/api';
import { EtudeError } from '../../shared/errors';
import type { CheckpointFidelity, FidelityCheckpointsInput, FidelityInput, Scorecard } from '../../shared/fidelity';
import type { Store } from '../store/store';
import type { TfClient } from '../workers/tf-client';

/**
 * Style scorecards: the main thread checks the model, checkpoint and corpus and says plainly what
 * is missing; the generation worker makes and measures the takes (jobs/fidelity.ts), reporting
 * progress, cancellable by job id. Nothing is stored.
 */
export class FidelityService {
  constructor(
    private readonly store: Store,
    private readonly tf: TfClient,
    private readonly emit: <E extends EventName>(event: E, payload: EngineEvents[E]) => void,
  ) {}

  async scorecard(input: FidelityInput): Promise<Scorecard> {
    const model = this.store.models.get(input.id);
    this.store.corpora.require(input.corpusId);
    let checkpointId: number;
    try {
      checkpointId = this.store.runs.generationCheckpoint(model.id, input.checkpointId).id;
    } catch (err) {
      if (err instanceof EtudeError && err.kind === 'not_found' && input.checkpointId !== undefined) {
        throw new EtudeError('not_found', `checkpoint ${input.checkpointId} of "${model.name}" is gone (training keeps the best and the last few): choose one of its checkpoints that remain`);
      }
      throw err;
    }
    const jobId = input.jobId ?? randomUUID();
    const job = this.tf.request(
      'fidelity',
      { checkpointId, corpusId: input.corpusId, takes: input.takes, copyBars: input.copyBars, seed: input.seed, sampling: { temperature: input.temperature, topK: input.topK, topP: input.topP, greedy: false } },
      { id: jobId, onProgress: (progress) => this.emit('models.fidelityProgress', { jobId, ...progress }) },
    );
    return job.done;
  }

  cancel(jobId: string): boolean {
    const inWorker = this.tf.control<'fidelity'>(jobId, 'cancel');
    if (!this.running.has(jobId)) return inWorker;
    this.cancelled.add(jobId); // and no further checkpoint starts
    return true;
  }

  private readonly cancelled = new Set<string>();
  private readonly running = new Set<string>();

  /**
   * Every checkpoint of the model's latest run scored in turn (the same passages and seed), so
   * where style and memorisation part is visible; the checkpoint suggested is the one whose takes
   * a classifier tells apart least while no more than 5% copy the corpus.
   */
  async byCheckpoint(input: FidelityCheckpointsInput): Promise<CheckpointFidelity> {
    const model = this.store.models.get(input.id);
    const corpus = this.store.corpora.require(input.corpusId);
    const all = this.store.runs.modelCheckpoints(model.id);
    if (all.length === 0) throw new EtudeError('invalid_input', `"${model.name}" has no checkpoint yet: train it for at least one epoch first`);
    const latestRun = Math.max(...all.map((c) => c.runId));
    const checkpoints = all.filter((c) => c.runId === latestRun).sort((a, b) => a.epoch - b.epoch || a.step - b.step);
    const jobId = input.jobId ?? randomUUID();
    this.running.add(jobId);
    const points: CheckpointFidelity['points'] = [];
    try {
      for (const [i, c] of checkpoints.entries()) {
        if (this.cancelled.has(jobId)) throw new EtudeError('cancelled', 'the scorecards were cancelled');
        this.emit('models.fidelityProgress', { jobId, phase: 'checkpoints', done: i, total: checkpoints.length });
        const card = await this.scorecard({ id: model.id, corpusId: input.corpusId, checkpointId: c.id, takes: input.takes, copyBars: input.copyBars, seed: input.seed, temperature: 1, topK: 0, topP: 1, jobId });
        points.push({ checkpointId: c.id, epoch: c.epoch, valLoss: c.valLoss, auc: card.auc, meanOverlap: card.meanOverlap, copyRate: card.copyRate });
      }
    } finally {
      this.running.delete(jobId);
      this.cancelled.delete(jobId);
    }
    const fair = points.filter((p) => p.copyRate <= 0.05).sort((a, b) => a.auc - b.auc || b.meanOverlap - a.meanOverlap);
    const best = fair[0] ?? null;
    return {
      model: model.name,
      corpus: corpus.name,
      points,
      suggested: best?.checkpointId ?? null,
      reason: best
        ? `epoch ${best.epoch} sounds most like ${corpus.name} (AUC ${best.auc.toFixed(2)}) with ${Math.round(best.copyRate * 100)}% of its takes copying`
        : `every checkpoint copies more than 5% of its takes from the corpus: train on more pieces, or generate with "never copy more than" on`,
    };
  }
}
