import type { BackendInfo } from '../../shared/api';
import type { Store } from '../store/store';
import type { ModelCache } from './generate/model-cache';
import type { JobKind, Jobs } from '../workers/protocol';

/**
 * The controls a running job reads between its steps, set by messages from the main thread.
 * `state` is the last control received ('run' until one arrives).
 */
export class JobControl<C extends string = string> {
  state: C | 'run' = 'run';
  private wake: (() => void) | null = null;

  set(next: C | 'run'): void {
    this.state = next;
    this.wake?.();
  }

  /** Waits while paused; returns the control that ended the pause. */
  async whilePaused(): Promise<C | 'run'> {
    while (this.state === 'pause') await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = null;
    return this.state;
  }
}

/** What a job gets from the worker that runs it: its own database connection, the backend, a way to report and its controls. */
export interface JobContext<K extends JobKind> {
  store: Store;
  backend: BackendInfo;
  progress(progress: Jobs[K]['progress']): void;
  control: JobControl<Jobs[K]['control']>;
  /** The worker's loaded models, kept between generations. */
  models: ModelCache;
}

export type JobRunner<K extends JobKind> = (input: Jobs[K]['input'], ctx: JobContext<K>) => Promise<Jobs[K]['result']>;
