/** One epoch of a run: its batches in a seeded order, then validation, the curve point, checkpoints and early stopping. */
import { seededRandom } from '../../dataset/sequence-dataset';
import type { TrainEvent } from '../../workers/protocol';
import { batchOf, HeadSums, validate } from './batches';
import type { Checkpointer } from './checkpointer';
import { steer, type Ending, type Steering } from './controls';
import type { Position, PreparedRun } from './prepare';
import type { RunEta, RunLog } from './progress';
import { learningRateAt, setLearningRate, decayWeights } from './schedule';
import { trainStep } from './step';

export interface EpochParts {
  run: PreparedRun;
  position: Position;
  log: RunLog;
  checkpointer: Checkpointer;
  steering: Steering;
  report(event: TrainEvent): void;
  /** The first batch loss of this session: what "exploded" is measured against. */
  firstLoss: number | null;
  eta: RunEta;
}

export type EpochOutcome = { kind: 'trained'; loss: number; heads: Record<string, number> | null } | { kind: 'ended'; ending: Ending };

/** Whether a batch loss says the run diverged (NaN, or far above where it started). */
function diverged(loss: number, firstLoss: number): boolean {
  return !Number.isFinite(loss) || loss > Math.max(10 * firstLoss, firstLoss + 20);
}

function divergence(parts: EpochParts, loss: number): Ending {
  const kept = parts.steering.store.runs.checkpoints(parts.run.run.id).some((c) => c.kind === 'best')
    ? 'the run stopped and kept its best checkpoint'
    : 'the run stopped before its first checkpoint';
  return {
    status: 'diverged',
    message: `the loss ${Number.isFinite(loss) ? `exploded to ${loss.toFixed(2)}` : 'became NaN'} at step ${parts.position.step}; ${kept}. Try a lower learning rate, or clipNorm.`,
    checkpoint: false,
  };
}

/** The batches of the current epoch from where the position stands (a resumed epoch skips those done). */
export async function trainEpoch(parts: EpochParts): Promise<EpochOutcome> {
  const { run, position, log } = parts;
  const { hp } = run;
  const windows = run.windowsFor(position.epoch);
  const batches = run.batchesOf(windows);
  const order = windows.shuffled(hp.seed * 7919 + position.epoch);
  const shiftRandom = seededRandom(hp.seed * 104_729 + position.epoch);
  let sum = 0;
  let count = 0;
  const heads = new HeadSums();
  let lastLoss: number | null = null;
  for (let b = 0; b < batches; b++) {
    // Shifts are drawn for every batch, also skipped ones, so a resumed epoch draws the same.
    const shifts = Array.from({ length: hp.batchSize }, () => (run.transposing ? Math.round((shiftRandom() * 2 - 1) * hp.transpose) : 0));
    if (b < position.batchInEpoch) continue;
    const ending = await steer(parts.steering, position, lastLoss);
    if (ending) return { kind: 'ended', ending };
    const t0 = performance.now();
    const ids = order.subarray(b * hp.batchSize, (b + 1) * hp.batchSize);
    const batch = batchOf(windows, ids, run.transposing ? { table: run.transpositions, shifts: shifts.slice(0, ids.length) } : null);
    const rate = learningRateAt(hp, position.step, run.plannedSteps);
    setLearningRate(run.optimizer, rate);
    const result = await trainStep(run.model, run.optimizer, batch, hp.seed * 1_000_003 + position.step, hp.clipNorm, run.passRows);
    decayWeights(run.model, rate, hp.weightDecay);
    position.step++;
    position.batchInEpoch = b + 1;
    lastLoss = result.loss;
    parts.firstLoss ??= result.loss;
    if (diverged(result.loss, parts.firstLoss)) return { kind: 'ended', ending: divergence(parts, result.loss) };
    sum += result.loss;
    count++;
    heads.add(result.heads);
    const seconds = (performance.now() - t0) / 1000;
    parts.eta.step(seconds);
    log.point({ kind: 'batch', step: position.step, epoch: position.epoch, loss: result.loss, valLoss: null, heads: result.heads, at: Date.now() });
    parts.report({
      type: 'batch',
      progress: {
        runId: run.run.id,
        epoch: position.epoch,
        batch: b + 1,
        batches,
        step: position.step,
        loss: result.loss,
        heads: result.heads,
        samplesPerSecond: ids.length / seconds,
        etaSeconds: parts.eta.remaining(run.plannedSteps - position.step, hp.epochs - position.epoch),
        plannedSteps: run.plannedSteps,
      },
    });
    log.saveIfDue(position);
  }
  return { kind: 'trained', loss: count > 0 ? sum / count : (lastLoss ?? 0), heads: heads.mean() };
}

/** Validation after an epoch: the curve point, the best and periodic checkpoints. Returns whether validation improved. */
export async function closeEpoch(parts: EpochParts, trained: { loss: number; heads: Record<string, number> | null }): Promise<{ better: boolean; valLoss: number | null; valHeads: Record<string, number> | null }> {
  const { run, position, log, checkpointer } = parts;
  const { hp } = run;
  const validationStarted = performance.now();
  const validation = validate(run.model, run.validation, hp.batchSize);
  parts.eta.validation((performance.now() - validationStarted) / 1000);
  const valLoss = validation?.loss ?? null;
  position.epoch++;
  position.batchInEpoch = 0;
  const valHeads = validation?.heads ?? null;
  log.point({
    kind: 'epoch',
    step: position.step,
    epoch: position.epoch,
    loss: trained.loss,
    valLoss,
    heads: trained.heads || valHeads ? { ...trained.heads, ...Object.fromEntries(Object.entries(valHeads ?? {}).map(([k, v]) => [`val_${k}`, v])) } : null,
    at: Date.now(),
  });
  log.flush();
  const better = valLoss !== null && (log.bestValLoss === null || valLoss < log.bestValLoss);
  if (better) {
    log.bestValLoss = valLoss;
    await checkpointer.save('best', position, trained.loss, valLoss);
  }
  if (position.epoch % hp.checkpointEvery === 0 || position.epoch === hp.epochs) await checkpointer.save('periodic', position, trained.loss, valLoss);
  log.save(position);
  return { better, valLoss, valHeads };
}
