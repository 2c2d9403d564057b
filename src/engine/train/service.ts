import type { EngineEvents, EventName } from '../../shared/api';
import { EtudeError } from '../../shared/errors';
import type { RunInfo, RunStatus } from '../../shared/training';
import type { Store } from '../store/store';
import type { TfHost } from '../workers/tf-host';
import type { FromTfWorker } from '../workers/protocol';

const TERMINAL: RunStatus[] = ['completed', 'stopped', 'cancelled', 'interrupted', 'failed', 'diverged'];

/**
 * Training jobs, one at a time in the TF worker, the rest queued. The main thread only relays the
 * worker's progress to clients; the worker writes metrics and checkpoints itself.
 */
export class TrainingService {
  private readonly queue: number[] = [];
  private active: number | null = null;
  private readonly waiters = new Map<number, ((run: RunInfo) => void)[]>();

  constructor(
    private readonly store: Store,
    private readonly tf: TfHost,
    private readonly emit: <E extends EventName>(event: E, payload: EngineEvents[E]) => void,
    private readonly job: { dbPath: string; nativeBinding?: string },
  ) {
    tf.onMessage((m) => this.onWorker(m));
  }

  get activeRun(): number | null {
    return this.active;
  }

  enqueue(runId: number): RunInfo {
    this.store.training.setStatus(runId, 'queued');
    this.queue.push(runId);
    this.announce(runId);
    this.pump();
    return this.store.training.run(runId);
  }

  status(): { active: RunInfo | null; queued: RunInfo[] } {
    return { active: this.active === null ? null : this.store.training.run(this.active), queued: this.queue.map((id) => this.store.training.run(id)) };
  }

  control(runId: number, action: 'pause' | 'resume' | 'stop' | 'cancel'): RunInfo {
    const run = this.store.training.run(runId);
    if (this.active === runId) {
      void this.tf.send({ type: 'control', runId, control: action === 'resume' ? 'run' : action });
      return run;
    }
    const queued = this.queue.indexOf(runId);
    if (queued >= 0 && (action === 'cancel' || action === 'stop')) {
      this.queue.splice(queued, 1);
      this.store.training.setStatus(runId, action === 'cancel' ? 'cancelled' : 'stopped', `${action === 'cancel' ? 'cancelled' : 'stopped'} before it started`);
      this.finished(runId);
      return this.store.training.run(runId);
    }
    if (action === 'resume' && ['interrupted', 'stopped', 'paused', 'failed'].includes(run.status)) return this.enqueue(runId);
    throw new EtudeError('conflict', `run ${runId} is ${run.status}: it cannot be ${action === 'stop' ? 'stopped' : `${action}d`} now`);
  }

  /** Resolves when the run reaches an end state (completed, stopped, cancelled, failed…). */
  waitFor(runId: number): Promise<RunInfo> {
    const run = this.store.training.run(runId);
    if (TERMINAL.includes(run.status) && this.active !== runId && !this.queue.includes(runId)) return Promise.resolve(run);
    return new Promise((resolve) => this.waiters.set(runId, [...(this.waiters.get(runId) ?? []), resolve]));
  }

  /** Stops the active run with a checkpoint and waits for it (the studio is closing). */
  async shutdown(timeoutMs = 30_000): Promise<void> {
    for (const id of this.queue.splice(0)) this.store.training.setStatus(id, 'interrupted', 'the studio closed before this run started');
    if (this.active === null) return;
    const active = this.active;
    void this.tf.send({ type: 'control', runId: active, control: 'stop' });
    await Promise.race([this.waitFor(active), new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
  }

  private pump(): void {
    if (this.active !== null) return;
    const next = this.queue.shift();
    if (next === undefined) return;
    this.active = next;
    this.tf.send({ type: 'train', job: { runId: next, ...this.job } }).catch((err: unknown) => {
      this.store.training.setStatus(next, 'failed', `the training worker could not start: ${(err as Error).message}`);
      this.finished(next);
    });
  }

  private announce(runId: number): void {
    this.emit('train.status', { run: this.store.training.run(runId) });
  }

  private finished(runId: number): void {
    if (this.active === runId) this.active = null;
    const run = this.store.training.run(runId);
    this.emit('train.status', { run });
    for (const resolve of this.waiters.get(runId) ?? []) resolve(run);
    this.waiters.delete(runId);
    this.pump();
  }

  private onWorker(m: FromTfWorker): void {
    switch (m.type) {
      case 'train.batch':
        this.emit('train.batch', m.progress);
        break;
      case 'train.epoch':
        this.emit('train.epoch', m.progress);
        break;
      case 'train.checkpoint':
        this.emit('train.checkpoint', { runId: m.runId, checkpointId: m.checkpointId, kind: m.kind, epoch: m.epoch, step: m.step });
        break;
      case 'train.status':
        this.announce(m.runId);
        break;
      case 'train.done':
        this.finished(m.runId);
        break;
      case 'exit':
        // The worker died (out of memory, a native crash): the run resumes from its last checkpoint.
        if (this.active !== null) {
          const runId = this.active;
          this.store.training.setStatus(runId, 'interrupted', `the training worker stopped unexpectedly (code ${m.code}); resume to continue from the last checkpoint`);
          this.finished(runId);
        }
        break;
    }
  }
}
