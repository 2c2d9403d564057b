/**
 * One training run, inside a TF worker: prepare, then epochs of batches until the run completes,
 * stops early, is stopped, cancelled or diverges. The worker writes metrics and checkpoints
 * itself (its own connection; WAL lets it write while the main thread reads), so the main thread
 * only relays progress.
 */
import type { RunStatus } from '../../../shared/training';
import type { TrainResult } from '../../workers/protocol';
import type { JobRunner } from '../job-context';
import { Checkpointer } from './checkpointer';
import type { Ending } from './controls';
import { closeEpoch, trainEpoch, type EpochParts } from './epoch';
import { machineInfo } from './machine';
import { prepareRun } from './prepare';
import { RunEta, RunLog } from './progress';
import { DISK_FULL_STOP, isDiskFull } from '../../store/disk';
import { isOutOfMemory } from '../../workers/out-of-memory';

export const runTraining: JobRunner<'train'> = async ({ runId }, ctx) => {
  const { store, backend } = ctx;
  const result = (status: RunStatus, message: string | null): TrainResult => {
    try {
      store.runs.setStatus(runId, status, message);
    } catch (err) {
      // With the disk full even the status may not be written: the run is then found interrupted on the next open, as resumable.
      if (!isDiskFull(err)) throw err;
    }
    return { runId, status, message };
  };
  let prepared;
  try {
    prepared = await prepareRun(store, runId);
  } catch (err) {
    return result('failed', err instanceof Error ? err.message : String(err));
  }
  const { run, hp, model, optimizer } = prepared;
  try {
    store.runs.claim(runId, backend.name);
    store.runs.setMachine(runId, machineInfo(backend));
    ctx.progress({ type: 'status', runId, status: 'running', message: null });
    const log = new RunLog(store, runId, { seconds: run.seconds, bestValLoss: run.bestValLoss });
    const checkpointer = new Checkpointer(store, prepared, ctx.progress);
    const parts: EpochParts = {
      run: prepared,
      position: prepared.position,
      log,
      checkpointer,
      report: ctx.progress,
      firstLoss: null,
      eta: new RunEta(Math.ceil(prepared.validation.count / hp.batchSize)),
      steering: { store, runId, backend, control: ctx.control, log, checkpointer, report: ctx.progress, maxSeconds: hp.maxSeconds, sessionStarted: performance.now() },
    };
    const end = async (ending: Ending): Promise<TrainResult> => {
      log.flush();
      if (ending.checkpoint) await checkpointer.save('last', parts.position, null, null);
      log.save(parts.position);
      return result(ending.status, ending.message);
    };
    let epochsWithoutBetter = 0;
    while (parts.position.epoch < hp.epochs) {
      const started = performance.now();
      const trained = await trainEpoch(parts);
      if (trained.kind === 'ended') return await end(trained.ending);
      const closed = await closeEpoch(parts, trained);
      epochsWithoutBetter = closed.better ? 0 : epochsWithoutBetter + 1;
      const { epoch, step } = parts.position;
      ctx.progress({
        type: 'epoch',
        progress: { runId, epoch, epochs: hp.epochs, step, loss: trained.loss, valLoss: closed.valLoss, heads: trained.heads, valHeads: closed.valHeads, seconds: (performance.now() - started) / 1000, etaSeconds: parts.eta.remaining(prepared.plannedSteps - step, hp.epochs - epoch) ?? 0 },
      });
      if (hp.patience > 0 && epochsWithoutBetter >= hp.patience && epoch < hp.epochs) {
        return await end({ status: 'completed', message: `stopped early: no better validation loss for ${hp.patience} epochs`, checkpoint: false });
      }
    }
    return await end({ status: 'completed', message: null, checkpoint: false });
  } catch (err) {
    // Nothing of the step that could not be written is kept; the last checkpoint is whole, so the run resumes from it.
    if (isDiskFull(err)) return result('stopped', DISK_FULL_STOP);
    if (err instanceof WebAssembly.RuntimeError || (err instanceof Error && isOutOfMemory(err.message))) {
      // The runtime aborted: the run resumes from its last checkpoint, and the error goes up so the worker is replaced.
      result('interrupted', 'the training worker ran out of memory and was restarted; resume to continue from the last checkpoint');
      throw err;
    }
    return result('failed', err instanceof Error ? err.message : String(err));
  } finally {
    model.dispose();
    optimizer.dispose();
  }
};
