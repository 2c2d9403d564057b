/**
 * What a run will cost before it starts, from a short calibration of its model on this machine,
 * and the plan that fits a run into a time budget: the largest size of the model that still gets
 * enough epochs, the epochs that fill the budget, and a schedule that decays over them.
 */
import { EtudeError } from '../../shared/errors';
import type { Hyperparams, ModelSpec, RunEstimate } from '../../shared/training';
import { architectureOf, parseSpec } from '../models/registry';
import type { Store } from '../store/store';
import type { Calibration } from '../workers/protocol';
import type { TfClient } from '../workers/tf-client';

/** Seconds an epoch spends besides its steps: the best checkpoint, its audition, the curve. */
const EPOCH_OVERHEAD_SECONDS = 0.4;
/** Share of a budget the planned epochs may fill: the rest absorbs a machine that slows down. */
const BUDGET_SHARE = 0.96;
const MOST_EPOCHS = 300;

export function secondsPerEpoch(c: Calibration): number {
  return c.batchesPerEpoch * c.secondsPerStep + c.validationBatches * c.validationSecondsPerBatch + EPOCH_OVERHEAD_SECONDS;
}

function estimateOf(c: Calibration, spec: ModelSpec, hp: Hyperparams): RunEstimate {
  const epochSeconds = secondsPerEpoch(c);
  const total = hp.maxSeconds !== undefined ? Math.min(hp.maxSeconds, epochSeconds * hp.epochs) : epochSeconds * hp.epochs;
  return {
    spec,
    hyperparams: hp,
    parameters: c.parameters,
    weightsMb: Math.round(((c.parameters * 4) / 2 ** 20) * 10) / 10,
    windowsPerEpoch: c.windowsPerEpoch,
    batchesPerEpoch: c.batchesPerEpoch,
    secondsPerStep: c.secondsPerStep,
    secondsPerEpoch: epochSeconds,
    epochs: hp.epochs,
    totalSeconds: total,
    peakMemoryMb: c.peakRssMb,
  };
}

export async function estimateRun(tf: TfClient, vocabularyId: number, spec: ModelSpec, hp: Hyperparams): Promise<RunEstimate> {
  const calibration = await tf.request('calibrate', { vocabularyId, spec, hyperparams: hp }).done;
  return estimateOf(calibration, spec, hp);
}

/**
 * Epochs a model should get to learn a corpus: about 40 passes over a small one (a chorale book),
 * fewer as the corpus grows (each pass then holds more music), never under 8.
 */
export function epochsWanted(steps: number): number {
  return Math.round(Math.min(40, Math.max(8, 40 * Math.sqrt(70_000 / Math.max(1, steps)))));
}

/**
 * The run that fits `budgetSeconds`: sizes of the architecture from the largest, each calibrated,
 * until one gets the epochs the corpus wants within the budget (else the smallest, with what fits).
 * The run stops at the budget whatever happens, with its best checkpoint.
 */
export async function planForBudget(
  tf: TfClient,
  store: Store,
  vocabularyId: number,
  spec: ModelSpec,
  hp: Hyperparams,
  budgetSeconds: number,
  /** A model whose weights carry over (fine-tuning, personalising a base) keeps its size. */
  options: { fixedSize?: boolean } = {},
): Promise<RunEstimate & { reasons: string[] }> {
  if (!(budgetSeconds > 0)) throw new EtudeError('invalid_input', 'a time budget must be more than 0 minutes');
  const architecture = architectureOf(spec.arch);
  const sizes = (options.fixedSize ? [spec] : (architecture.sizes?.(parseSpec(spec)) ?? [spec])).map(parseSpec);
  const wanted = epochsWanted(store.vocabularies.get(vocabularyId).steps);
  const usable = budgetSeconds * BUDGET_SHARE;
  let chosen: { spec: ModelSpec; calibration: Calibration } | null = null;
  for (const candidate of sizes) {
    const calibration = await tf.request('calibrate', { vocabularyId, spec: candidate, hyperparams: hp }).done;
    chosen = { spec: candidate, calibration };
    if (usable / secondsPerEpoch(calibration) >= wanted) break;
  }
  const { spec: planned, calibration } = chosen!;
  const epochSeconds = secondsPerEpoch(calibration);
  const epochs = Math.max(1, Math.min(MOST_EPOCHS, Math.floor(usable / epochSeconds)));
  const fitted: Hyperparams = { ...hp, epochs, maxSeconds: budgetSeconds, patience: Math.max(hp.patience, Math.round(epochs / 5)) };
  const reasons = [
    `${sizes.length > 1 ? `the largest size that gets ${wanted} epochs in the budget` : 'the model as given'}: ${epochSeconds.toFixed(1)} s an epoch here`,
    epochs * epochSeconds > budgetSeconds ? 'less than one epoch fits: the run stops at the budget with its best checkpoint' : `${epochs} epochs fill ${Math.round((epochs * epochSeconds) / 60)} of the ${Math.round(budgetSeconds / 60)} minutes`,
  ];
  return { ...estimateOf(calibration, planned, fitted), reasons };
}
