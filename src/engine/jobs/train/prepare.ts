/**
 * Everything a run needs before its first step: its settings, the windows it learns from and is
 * validated on, the model and optimizer, restored to where the run stood (a resumed run) or to
 * the checkpoint it starts from (a continued or fine-tuned one).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { VocabularySummary } from '../../../shared/encoding';
import type { Hyperparams, ModelInfo, RunInfo } from '../../../shared/training';
import { SequenceDataset, TiledWindows, TranspositionTable, WindowSet, type Windows } from '../../dataset/sequence-dataset';
import { architectureOf, createModel, rowsPerPass } from '../../models/registry';
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
  /** The training windows of an epoch (tiled windows move from epoch to epoch; strided ones stay). */
  windowsFor(epoch: number): Windows;
  validation: Windows;
  /** Batches of an epoch's windows. */
  batchesOf(windows: Windows): number;
  /** Optimizer steps the run plans (for the learning-rate schedule). */
  plannedSteps: number;
  /** The training and the held-out pieces (dataset indices). */
  trainPieces: readonly number[];
  validationPieces: readonly number[];
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

/**
 * The run's windows. A model that learns every position of a window tiles each piece (stride 0:
 * every step a target once an epoch, the tiling shifted by a seeded amount every epoch, token
 * windows padded at the start); stride 1 or more, or a model that predicts one target a window,
 * starts a window every `stride` steps. Validation windows are tiled once, without a shift.
 */
export function windowsOf(dataset: SequenceDataset, hp: Hyperparams, tiles: boolean) {
  const stride = tiles ? 0 : Math.max(1, hp.stride);
  const split = dataset.split({ sequenceLength: hp.sequenceLength, validationFraction: hp.validationFraction, validationTitles: hp.validationTitles, seed: hp.seed, stride: Math.max(1, stride) });
  const padded = dataset.representation === 'tokens';
  const trainPieces = split.train.pieces;
  const windowsFor = (epoch: number): Windows =>
    stride === 0 ? new TiledWindows(dataset, trainPieces, hp.sequenceLength, { seed: hp.seed * 15_485_863 + epoch, padded }) : split.train;
  const validation = stride === 0 ? new TiledWindows(dataset, split.validation.pieces, hp.sequenceLength, { seed: null, padded }) : new WindowSet(dataset, split.validation.pieces, hp.sequenceLength, hp.sequenceLength);
  const first = windowsFor(0);
  if (stride === 0 ? first.count === 0 : first.count < hp.batchSize) {
    throw new Error(
      `the corpus is too small for one batch: ${first.count} training windows of ${hp.sequenceLength} steps, and a batch takes ${hp.batchSize}; ` +
        'lower the batch size or the sequence length, or add music',
    );
  }
  // Tiled epochs take their last, smaller batch too (a small corpus loses nothing); strided ones whole batches, as they always did.
  const batchesOf = (w: Windows) => (stride === 0 ? Math.ceil(w.count / hp.batchSize) : Math.floor(w.count / hp.batchSize));
  return { windowsFor, validation, batchesOf, plannedSteps: batchesOf(first) * hp.epochs, trainPieces, validationPieces: split.validation.pieces };
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
  const windows = windowsOf(dataset, hp, hp.stride === 0 && architectureOf(info.spec.arch).predictsEveryPosition);
  const transpositions =
    hp.transpose > 0 && vocab.representation === 'tokens' ? new TranspositionTable(store.vocabularies.tokens(vocab.id), vocab.encoding, vocab.params, hp.transpose) : null;
  const model = createModel(info.spec, vocab.size, hp.seed, { lossWeights: hp.lossWeights, visible: hp.sequenceLength * dataset.width });
  const optimizer = makeOptimizer(hp);
  const prepared: PreparedRun = {
    run,
    info,
    vocab,
    hp,
    ...windows,
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
