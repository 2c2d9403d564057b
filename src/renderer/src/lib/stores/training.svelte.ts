import type { ArchitectureInfo } from '../../../../shared/architectures';
import type { BatchProgress, CheckpointInfo, EpochProgress, MetricPoint, ModelSummary, RunInfo } from '../../../../shared/training';
import { engine } from './engine.svelte';

/** The Train page's view of training: models, the watched run, its live points, the backend. */
class TrainingState {
  models = $state<ModelSummary[]>([]);
  runs = $state<RunInfo[]>([]);
  run = $state<RunInfo | null>(null);
  points = $state<MetricPoint[]>([]);
  /** Epoch points of the watched model's earlier runs, for overlay. */
  earlier = $state<{ runId: number; points: MetricPoint[] }[]>([]);
  lastBatch = $state<BatchProgress | null>(null);
  lastEpoch = $state<EpochProgress | null>(null);
  error = $state<string | null>(null);
  /** The watched run's checkpoints, with their auditions (pinned to the curve). */
  checkpoints = $state<CheckpointInfo[]>([]);
  /** Bumped when points arrive, so the chart redraws without copying arrays. */
  version = $state(0);
  /** The architectures a model can have, with their settings and presets (asked of the engine once). */
  architectures = $state<ArchitectureInfo[]>([]);
  /** The run training now, wherever the musician is (the status bar shows it): how far, and how long to go. */
  active = $state<{ run: RunInfo; fraction: number | null; etaSeconds: number | null } | null>(null);
  /** Counts status events, so an answer that left before one is not taken for newer news. */
  private statusEvents = 0;

  constructor() {
    engine.client.on('training.batch', (p) => {
      if (this.active?.run.id === p.runId) this.active = { ...this.active, fraction: p.plannedSteps > 0 ? Math.min(1, p.step / p.plannedSteps) : null, etaSeconds: p.etaSeconds };
    });
    engine.client.on('training.status', ({ run }) => {
      const live = run.status === 'running' || run.status === 'paused' || run.status === 'queued';
      if (live && (this.active === null || this.active.run.id === run.id || this.active.run.status === 'queued')) this.active = { fraction: null, etaSeconds: null, ...this.active, run };
      else if (!live && this.active?.run.id === run.id) void this.refreshActive();
    });
    engine.client.on('training.batch', (p) => {
      if (p.runId !== this.run?.id) return;
      this.lastBatch = p;
      this.points.push({ kind: 'batch', step: p.step, epoch: p.epoch, loss: p.loss, valLoss: null, heads: p.heads, at: Date.now() });
      this.version++;
    });
    engine.client.on('training.epoch', (p) => {
      if (p.runId !== this.run?.id) return;
      this.lastEpoch = p;
      if (this.run && p.valLoss !== null && (this.run.bestValLoss === null || p.valLoss < this.run.bestValLoss)) this.run.bestValLoss = p.valLoss;
      // The same shape as stored epoch points: training heads, and validation heads prefixed val_.
      const heads = p.heads || p.valHeads ? { ...p.heads, ...Object.fromEntries(Object.entries(p.valHeads ?? {}).map(([k, v]) => [`val_${k}`, v])) } : null;
      this.points.push({ kind: 'epoch', step: p.step, epoch: p.epoch, loss: p.loss, valLoss: p.valLoss, heads, at: Date.now() });
      this.version++;
    });
    engine.client.on('training.checkpoint', (c) => {
      if (c.runId === this.run?.id) void this.loadCheckpoints(c.runId);
    });
    engine.client.on('training.status', ({ run }) => {
      this.statusEvents++;
      if (run.id === this.run?.id) this.run = run;
      void this.refreshModels();
    });
  }

  /** Asks the engine which run is training (at start, and when one ends: the next queued one may start). */
  async refreshActive(): Promise<void> {
    try {
      const { active, queued } = await engine.client.call('training.status', {});
      const run = active ?? queued[0] ?? null;
      this.active = run ? { run, fraction: this.active?.run.id === run.id ? this.active.fraction : null, etaSeconds: this.active?.run.id === run.id ? this.active.etaSeconds : null } : null;
    } catch {
      // The status bar says nothing rather than something wrong; the engine's own error shows beside it.
    }
  }

  /** The watched run is queued, running or paused: Start would only queue another. */
  get watchedIsLive(): boolean {
    const s = this.run?.status;
    return s === 'running' || s === 'paused' || s === 'queued';
  }

  async loadArchitectures(): Promise<void> {
    if (this.architectures.length > 0) return;
    try {
      this.architectures = await engine.client.call('architectures.list', {});
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  async refreshModels(): Promise<void> {
    try {
      this.models = await engine.client.call('models.list', {});
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  /** Watches a run: loads its stored curve (it survives restarts) and the model's earlier runs. */
  async watch(runId: number): Promise<void> {
    const seen = this.statusEvents;
    const status = await engine.client.call('training.status', {});
    const all = await engine.client.call('runs.list', {});
    const run = all.find((r) => r.id === runId) ?? status.active;
    if (!run) return;
    // A status event that came while these calls were answered is newer than their answer.
    if (this.statusEvents === seen || this.run?.id !== runId) this.run = run;
    this.runs = all.filter((r) => r.modelId === run.modelId);
    this.points = await engine.client.call('runs.metrics', { runId });
    this.earlier = await Promise.all(
      this.runs.filter((r) => r.id !== runId).map(async (r) => ({ runId: r.id, points: (await engine.client.call('runs.metrics', { runId: r.id })).filter((p) => p.kind === 'epoch') })),
    );
    this.lastBatch = null;
    this.lastEpoch = null;
    this.version++;
    await this.loadCheckpoints(runId);
  }

  async loadCheckpoints(runId: number): Promise<void> {
    const list = await engine.client.call('runs.checkpoints', { runId });
    if (this.run?.id === runId) this.checkpoints = list;
  }

  async control(action: 'training.pause' | 'training.resume' | 'training.stop' | 'training.cancel'): Promise<void> {
    if (!this.run) return;
    try {
      const seen = this.statusEvents;
      const run = await engine.client.call(action, { runId: this.run.id });
      // The reply says how the run stood when asked; a pause or stop the worker reported since is newer.
      if (this.statusEvents === seen) this.run = run;
      if (action === 'training.resume') await this.watch(run.id);
    } catch (err) {
      this.error = (err as Error).message;
    }
  }
}

export const training = new TrainingState();
