/**
 * Saving a run's checkpoints (weights, the topology they fit, optimizer state), each pinned with an
 * audition: the model's continuation of one fixed primer with the run's seed, rendered once per saved step.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { CheckpointAudition, CheckpointInfo } from '../../../shared/training';
import { saveOptimizer } from '../../models/param-set';
import type { TrainableModel } from '../../models/types';
import type { Store } from '../../store/store';
import type { TrainEvent } from '../../workers/protocol';
import { auditionPrimer, renderAudition } from '../generate/audition';
import { vocabularyContext } from '../generate/load';
import type { Position, PreparedRun } from './prepare';

async function serialise(model: TrainableModel, optimizer: tf.Optimizer): Promise<{ manifest: string; weights: Uint8Array; optimizer: Uint8Array }> {
  const opt = await saveOptimizer(optimizer);
  return {
    manifest: JSON.stringify({ weights: model.params.manifest(), optimizer: opt.shapes, powers: opt.powers }),
    weights: await model.params.save(),
    optimizer: opt.bytes,
  };
}

export class Checkpointer {
  private readonly primer;
  private readonly vocab;
  private audition: { step: number; value: CheckpointAudition | null } | null = null;

  constructor(
    private readonly store: Store,
    private readonly run: PreparedRun,
    private readonly report: (event: TrainEvent) => void,
  ) {
    this.primer = auditionPrimer(store, run.vocab.id, run.validationPieces);
    this.vocab = this.primer ? vocabularyContext(store, run.vocab.id) : null;
  }

  /** Saves a checkpoint at `position`; every kind but 'last' (a pause or stop) gets an audition. */
  async save(kind: CheckpointInfo['kind'], position: Position, loss: number | null, valLoss: number | null): Promise<number> {
    const { model, optimizer, info, hp } = this.run;
    const data = await serialise(model, optimizer);
    const id = this.store.runs.saveCheckpoint(
      { modelId: info.id, runId: this.run.run.id, kind, epoch: position.epoch, step: position.step, batch: position.batchInEpoch, loss, valLoss, topology: JSON.stringify(info.spec), ...data },
      hp.keepLast,
    );
    if (kind !== 'last') {
      const heard = await this.auditionAt(position.step);
      if (heard) this.store.runs.setAudition(id, heard);
    }
    this.report({ type: 'checkpoint', runId: this.run.run.id, checkpointId: id, kind, epoch: position.epoch, step: position.step });
    return id;
  }

  /** The audition at a step, rendered once however many checkpoints that step saves. */
  private async auditionAt(step: number): Promise<CheckpointAudition | null> {
    if (!this.primer || !this.vocab) return null;
    if (this.audition?.step !== step) {
      try {
        this.audition = { step, value: await renderAudition(this.run.model, this.vocab, this.primer, this.run.hp.sequenceLength, this.run.hp.seed) };
      } catch (err) {
        // An audition is a courtesy: training goes on without it.
        console.warn(`[trainer] run ${this.run.run.id}: no audition at step ${step}: ${err instanceof Error ? err.message : String(err)}`);
        this.audition = { step, value: null };
      }
    }
    return this.audition.value;
  }
}
