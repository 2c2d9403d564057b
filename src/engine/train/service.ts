import type { EngineEvents, EventName } from '../../shared/api';
import { EtudeError, toErrorData } from '../../shared/errors';
import type { RunInfo, RunStatus } from '../../shared/training';
import type { Store } from '../store/store';
import type { TfClient } from '../workers/tf-client';
import type { TrainEvent } from '../workers/protocol';

const TERMINAL: RunStatus[] = ['completed', 'stopped', 'cancelled', 'interrupted', 'failed', 'diverged'];

/**
 * Training jobs, one at a time in the TF worker, the rest queued. The main thread only relays the
 * worker's progress to clients; the worker writes metrics and checkpoints itself.
 */
export class TrainingService {
  private readonly queue: number[] = [];
  private active: number | null = null;
  /** The worker's job id of the active run. */
  private activeJob: string | null = null;
  private readonly waiters = new Map<number, ((run: RunInfo) => void)[]>();

  constructor(
    private readonly store: Store,
    private readonly tf: TfClient,
    private readonly emit: <E extends EventName>(event: E, payload: EngineEvents[E]) => void,
  ) {}

  get activeRun(): number | null {
    return this.active;
  }

  enqueue(runId: number): RunInfo {
    this.store.runs.setStatus(runId, 'queued');
    this.queue.push(runId);
    this.announce(runId);
    this.pump();
    return this.store.runs.run(runId);
  }

  status(): { active: RunInfo | null; queued: RunInfo[] } {
    return { active: this.active === null ? null : this.store.runs.run(this.active), queued: this.queue.map((id) => this.store.runs.run(id)) };
  }

  control(runId: number, action: 'pause' | 'resume' | 'stop' | 'cancel'): RunInfo {
    const run = this.store.runs.run(runId);
    if (this.active === runId && this.activeJob !== null) {
      this.tf.control<'train'>(this.activeJob, action === 'resume' ? 'run' : action);
      return run;
    }
    const queued = this.queue.indexOf(runId);
    if (queued >= 0 && (action === 'cancel' || action === 'stop')) {
      this.queue.splice(queued, 1);
      this.store.runs.setStatus(runId, action === 'cancel' ? 'cancelled' : 'stopped', `${action === 'cancel' ? 'cancelled' : 'stopped'} before it started`);
      this.finished(runId);
      return this.store.runs.run(runId);
    }
    if (action === 'resume' && ['interrupted', 'stopped', 'paused', 'failed'].includes(run.status)) return this.enqueue(runId);
    throw new EtudeError('conflict', `run ${runId} is ${run.status}: it cannot be ${action === 'stop' ? 'stopped' : `${action}d`} now`);
  }

  /** Resolves when the run reaches an end state (completed, stopped, cancelled, failed…). */
  waitFor(runId: number): Promise<RunInfo> {
    const run = this.store.runs.run(runId);
    if (TERMINAL.includes(run.status) && this.active !== runId && !this.queue.includes(runId)) return Promise.resolve(run);
    return new Promise((resolve) => this.waiters.set(runId, [...(this.waiters.get(runId) ?? []), resolve]));
  }

  /** Stops the active run with a checkpoint and waits for it (the studio is closing). */
  async shutdown(timeoutMs = 30_000): Promise<void> {
    for (const id of this.queue.splice(0)) this.store.runs.setStatus(id, 'interrupted', 'the studio closed before this run started');
    if (this.active === null) return;
    const active = this.active;
    if (this.activeJob !== null) this.tf.control<'train'>(this.activeJob, 'stop');
    await Promise.race([this.waitFor(active), new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
  }

  private pump(): void {
    if (this.active !== null) return;
    const next = this.queue.shift();
    if (next === undefined) return;
    this.active = next;
    const job = this.tf.request('train', { runId: next }, { onProgress: (event) => this.onProgress(event) });
    this.activeJob = job.id;
    job.done.then(
      () => this.finished(next),
      (err: unknown) => {
        // The worker died (out of memory, a native crash) or never started: the run resumes from its last checkpoint.
        const reason = err instanceof Error ? err.message : String(err);
        try {
          const started = this.store.runs.run(next).status !== 'queued';
          this.store.runs.setStatus(
            next,
            started ? 'interrupted' : 'failed',
            started ? `${reason}; resume to continue from the last checkpoint` : `the training worker could not start: ${reason}`,
          );
        } catch (writeErr) {
          // A full disk: the run stays as it was written last (found interrupted, resumable, on the next open); the engine goes on.
          console.warn(`[training] run ${next} could not be marked ended: ${toErrorData(writeErr).message}`);
        }
        this.finished(next);
      },
    );
  }

  private announce(runId: number): void {
    this.emit('training.status', { run: this.store.runs.run(runId) });
  }

  private finished(runId: number): void {
    if (this.active === runId) {
      this.active = null;
      this.activeJob = null;
    }
    const run = this.store.runs.run(runId);
    this.emit('training.status', { run });
    for (const resolve of this.waiters.get(runId) ?? []) resolve(run);
    this.waiters.delete(runId);
    this.pump();
  }

  private onProgress(event: TrainEvent): void {
    switch (event.type) {
      case 'batch':
        this.emit('training.batch', event.progress);
        break;
      case 'epoch':
        this.emit('training.epoch', event.progress);
        break;
      case 'checkpoint':
        this.emit('training.checkpoint', { runId: event.runId, checkpointId: event.checkpointId, kind: event.kind, epoch: event.epoch, step: event.step });
        break;
      case 'status':
        this.announce(event.runId);
        break;
    }
  }
}
