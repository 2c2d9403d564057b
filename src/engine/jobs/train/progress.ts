/** A run's clock, curve points and the figures it reports: written to the database in batches, never a row a step. */
import type { MetricPoint } from '../../../shared/training';
import type { Store } from '../../store/store';
import type { Position } from './prepare';

const FLUSH_MS = 1000;

export class RunLog {
  private pending: MetricPoint[] = [];
  private lastFlush = performance.now();
  private started = performance.now();
  private secondsBefore: number;
  private paused = false;
  bestValLoss: number | null;

  constructor(
    private readonly store: Store,
    private readonly runId: number,
    before: { seconds: number; bestValLoss: number | null },
  ) {
    this.secondsBefore = before.seconds;
    this.bestValLoss = before.bestValLoss;
  }

  /** Seconds the run has trained, over all its sessions (pauses excluded). */
  elapsed(): number {
    return this.paused ? this.secondsBefore : this.secondsBefore + (performance.now() - this.started) / 1000;
  }

  /** A pause: the clock stops until `resumeClock`. */
  pauseClock(): void {
    this.secondsBefore = this.elapsed();
    this.paused = true;
  }

  resumeClock(): void {
    this.started = performance.now();
    this.paused = false;
  }

  point(point: MetricPoint): void {
    this.pending.push(point);
  }

  /** Writes the pending curve points. */
  flush(): void {
    if (this.pending.length > 0) this.store.runs.insertMetrics(this.runId, this.pending);
    this.pending = [];
    this.lastFlush = performance.now();
  }

  /** Writes the pending points and where the run stands. */
  save(position: Position): void {
    this.flush();
    this.store.runs.progress(this.runId, { epoch: position.epoch, step: position.step, bestValLoss: this.bestValLoss, seconds: this.elapsed() });
  }

  /** `save`, at most once a second. */
  saveIfDue(position: Position): void {
    if (performance.now() - this.lastFlush > FLUSH_MS) this.save(position);
  }
}

/**
 * Time left in a run: its remaining steps at the recent pace (a moving mean of step times, so it
 * follows a machine that speeds up or slows down), plus a validation pass per epoch left.
 */
export class RunEta {
  private stepSeconds: number | null = null;
  private steps = 0;
  private validationSeconds: number | null = null;

  constructor(
    /** Validation batches, and their cost relative to a training step before one was timed (a forward pass, no backward). */
    private readonly validationBatches: number,
  ) {}

  /**
   * A step's time. A session's first step also warms the kernels up, so it counts only until a
   * second one is timed; then the mean of the steps so far, moving (a twentieth a step) once there are many.
   */
  step(seconds: number): void {
    this.steps++;
    if (this.steps <= 2) this.stepSeconds = seconds;
    else this.stepSeconds! += (seconds - this.stepSeconds!) * Math.max(0.05, 1 / (this.steps - 1));
  }

  validation(seconds: number): void {
    this.validationSeconds = seconds;
  }

  /** Seconds to the planned end, or null before the first step is timed. */
  remaining(stepsLeft: number, epochsLeft: number): number | null {
    if (this.stepSeconds === null) return null;
    const validation = this.validationSeconds ?? this.validationBatches * this.stepSeconds * 0.35;
    return Math.max(0, stepsLeft) * this.stepSeconds + Math.max(0, epochsLeft) * validation;
  }
}
