/** What a run does between two batches when the musician (or a time limit) steers it: pause, stop, cancel. */
import type { BackendInfo } from '../../../shared/api';
import { spokenDuration } from '../../../shared/format';
import type { RunStatus } from '../../../shared/training';
import type { Store } from '../../store/store';
import type { TrainControl, TrainEvent } from '../../workers/protocol';
import type { JobControl } from '../job-context';
import type { Checkpointer } from './checkpointer';
import type { Position } from './prepare';
import type { RunLog } from './progress';

/** How a run ends: its status, the message shown with it, and whether a 'last' checkpoint is saved first. */
export interface Ending {
  status: RunStatus;
  message: string | null;
  checkpoint: boolean;
}

export interface Steering {
  store: Store;
  runId: number;
  backend: BackendInfo;
  control: JobControl<TrainControl>;
  log: RunLog;
  checkpointer: Checkpointer;
  report(event: TrainEvent): void;
  /** This session's time limit in seconds (a resumed run gets the whole limit again). */
  maxSeconds: number | undefined;
  /** When this session started (performance.now()). */
  sessionStarted: number;
}

/** A pause: a checkpoint, then waiting; the clock stops meanwhile. */
async function pause(s: Steering, position: Position, lastLoss: number | null): Promise<void> {
  s.log.flush();
  await s.checkpointer.save('last', position, lastLoss, null);
  s.log.save(position);
  s.store.runs.setStatus(s.runId, 'paused');
  s.report({ type: 'status', runId: s.runId, status: 'paused', message: null });
  s.log.pauseClock();
  const pausedAt = performance.now();
  const next = await s.control.whilePaused();
  s.sessionStarted += performance.now() - pausedAt; // a time limit counts training, not pauses
  s.log.resumeClock();
  if (next === 'run') {
    s.store.runs.claim(s.runId, s.backend.name);
    s.report({ type: 'status', runId: s.runId, status: 'running', message: null });
  }
}

/** Between batches: lets control messages in, pauses while asked, and returns an ending when the run must end. */
export async function steer(s: Steering, position: Position, lastLoss: number | null): Promise<Ending | null> {
  await new Promise((resolve) => setImmediate(resolve)); // let control messages in
  if (s.control.state === 'pause') await pause(s, position, lastLoss);
  if (s.control.state === 'cancel') return { status: 'cancelled', message: 'cancelled; its checkpoints are kept', checkpoint: false };
  const overTime = s.maxSeconds !== undefined && (performance.now() - s.sessionStarted) / 1000 >= s.maxSeconds;
  if (s.control.state === 'stop' || overTime) {
    return {
      status: 'stopped',
      message: overTime ? `stopped at the time limit (${spokenDuration(s.maxSeconds!)}); resume to continue` : 'stopped; resume to continue',
      checkpoint: true,
    };
  }
  return null;
}
