/**
 * Everything a run needs before its first step: its settings, the windows it learns from and is
 * validated on, the model and optimizer, restored to where the run stood (a resumed run) or to
 * the checkpoint it starts from (a continued or fine-tuned one).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { VocabularySummary } from '../../../shared/encoding';
import type { Hyperparams, ModelInfo, RunInfo } from '../../../shared/training';
import { SequenceDataset, TranspositionTable, WindowSet } from '../../dataset/sequence-dataset';
import { createModel, rowsPerPass } from '../../models/registry';
import { loadOptimizer, type ManifestEntry } from '../../models/param-set';
import type { TrainableModel } from '../../models/types';
import type { Store } from '../../store/store';
import type { CheckpointData } from '../../store/runs';
import { makeOptimizer } from './step';

/** Where a run stands: epochs done, batches done of the current epoch, optimizer steps taken. */
export interface Position {
  epoch: number;
  batchInEpoch: number;
  step: number;
}

export interface PreparedRun {
  run: RunInfo;
  info: ModelInfo;
  vocab: VocabularySummary & { width: number };
  hp: Hyperparams;
  train: WindowSet;
  validation: WindowSet;
  /** Batches an epoch (whole batches of training windows). */
  batches: number;
  /** Token maps for transposition, when the encoding has pitch tokens to move. */
  transpositions: TranspositionTable | null;
  /** Whether windows are transposed at all (tokens through the table, features directly). */
  transposing: boolean;
  model: TrainableModel;
  optimizer: tf.Optimizer;
  /** Rows one gradient pass takes (a larger batch is taken in passes). */
  passRows: number;
  position: Position;
}

interface Manifest {
  weights: ManifestEntry[];
  optimizer: number[][];
  powers?: number[] | null;
}

/** The run's windows: training windows by its stride, validation windows tiled without overlap. */
function windowsOf(dataset: SequenceDataset, hp: Hyperparams): { train: WindowSet; validation: WindowSet } {
  const split = dataset.split({ sequenceLength: hp.sequenceLength, validationFraction: hp.validationFraction, seed: hp.seed, stride: hp.stride });
  const validation = new WindowSet(dataset, split.validation.pieces, hp.sequenceLength, hp.sequenceLength);
  if (split.train.count < hp.batchSize) {
    throw new Error(
      `the corpus is too small for one batch: ${split.train.count} training windows of ${hp.sequenceLength} steps, and a batch takes ${hp.batchSize}; ` +
        'lower the batch size or the sequence length, or add music',
    );
  }
  return { train: split.train, validation };
}

/** Loads a checkpoint's weights (and optimizer state) into the model: where a resumed run stood. */
async function resumeFrom(checkpoint: CheckpointData, model: TrainableModel, optimizer: tf.Optimizer): Promise<Position> {
  const manifest = JSON.parse(checkpoint.manifest) as Manifest;
  model.params.load(manifest.weights, checkpoint.weights);
  if (manifest.optimizer.length > 0) await loadOptimizer(optimizer, manifest.optimizer, checkpoint.optimizer, manifest.powers ?? null);
  return { epoch: checkpoint.epoch, batchInEpoch: checkpoint.batch, step: checkpoint.step };
}

/** Continuing or fine-tuning: the first step starts from another checkpoint's weights (and its optimizer state where it fits). */
async function startFrom(store: Store, runId: number, hp: Hyperparams, model: TrainableModel, optimizer: tf.Optimizer): Promise<void> {
  const start = store.runs.runStart(runId);
  if (!start) return;
  if (start.checkpointId === null) throw new Error(`the checkpoint this run was to start from (${start.label}) has been deleted`);
  const from = store.runs.checkpoint(start.checkpointId);
  const manifest = JSON.parse(from.manifest) as Manifest;
  const { widened } = model.params.loadOverlapping(manifest.weights, from.weights);
  const sameOptimizer = store.runs.run(from.runId).hyperparams.optimizer === hp.optimizer;
  if (start.optimizer && sameOptimizer && widened.length === 0 && manifest.optimizer.length > 0) {
    await loadOptimizer(optimizer, manifest.optimizer, from.optimizer, manifest.powers ?? null);
  }
}

export async function prepareRun(store: Store, runId: number): Promise<PreparedRun> {
  const run = store.runs.run(runId);
  const info = store.models.get(run.modelId);
  const vocab = store.vocabularies.get(info.vocabularyId);
  const hp = run.hyperparams;
  const dataset = SequenceDataset.load(store, vocab.id);
  const { train, validation } = windowsOf(dataset, hp);
  const transpositions =
    hp.transpose > 0 && vocab.representation === 'tokens' ? new TranspositionTable(store.vocabularies.tokens(vocab.id), vocab.encoding, vocab.params, hp.transpose) : null;
  const model = createModel(info.spec, vocab.size, hp.seed, { lossWeights: hp.lossWeights, visible: hp.sequenceLength * dataset.width });
  const optimizer = makeOptimizer(hp);
  const prepared: PreparedRun = {
    run,
    info,
    vocab,
    hp,
    train,
    validation,
    batches: Math.floor(train.count / hp.batchSize),
    transpositions,
    transposing: hp.transpose > 0 && (transpositions !== null || vocab.representation === 'features'),
    model,
    optimizer,
    passRows: rowsPerPass(info.spec, vocab.size, hp.sequenceLength, hp.batchSize),
    position: { epoch: 0, batchInEpoch: 0, step: 0 },
  };
  try {
    const resume = store.runs.resumePoint(runId);
    if (resume) {
      prepared.position = await resumeFrom(resume, model, optimizer);
      store.runs.truncateMetrics(runId, prepared.position.step);
    } else if (run.step > 0) {
      throw new Error('this run has progress but no checkpoint to resume from');
    } else await startFrom(store, runId, hp, model, optimizer);
  } catch (err) {
    model.dispose();
    optimizer.dispose();
    throw err;
  }
  return prepared;
}
