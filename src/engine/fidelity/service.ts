import { randomUUID } from 'node:crypto';
import type { EngineEvents, EventName } from '../../shared/api';
import { EtudeError } from '../../shared/errors';
import type { FidelityInput, Scorecard } from '../../shared/fidelity';
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
    return this.tf.control<'fidelity'>(jobId, 'cancel');
  }
}
