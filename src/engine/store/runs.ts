import type Database from 'better-sqlite3';
import { EtudeError } from '../../shared/errors';
import { matches, sha256 } from './checksums';
import { LEGACY_HYPERPARAMS, type CheckpointAudition, type CheckpointInfo, type Hyperparams, type MachineInfo, type MetricPoint, type RunInfo, type RunStatus } from '../../shared/training';

export interface CheckpointData extends CheckpointInfo {
  modelId: number;
  batch: number;
  topology: string;
  manifest: string;
  weights: Buffer;
  optimizer: Buffer;
}

export interface NewCheckpoint {
  modelId: number;
  runId: number;
  kind: CheckpointInfo['kind'];
  epoch: number;
  step: number;
  /** Batches of `epoch` already done: resuming starts at this batch. */
  batch: number;
  loss: number | null;
  valLoss: number | null;
  topology: string;
  manifest: string;
  weights: Uint8Array;
  optimizer: Uint8Array;
}

const RUN_COLUMNS = `r.id, r.model_id AS modelId, m.name AS model, r.hyperparams, r.status, r.message, r.backend, r.epoch, r.step,
  r.best_val_loss AS bestValLoss, r.seconds, r.created_at AS createdAt, r.ended_at AS endedAt`;
const CHECKPOINT_COLUMNS = `id, run_id AS runId, kind, epoch, step, loss, val_loss AS valLoss, audition, created_at AS createdAt`;

type CheckpointRow = Omit<CheckpointInfo, 'audition'> & { audition: string | null };

function withAudition<T extends CheckpointRow>(row: T): Omit<T, 'audition'> & { audition: CheckpointAudition | null } {
  return { ...row, audition: row.audition === null ? null : (JSON.parse(row.audition) as CheckpointAudition) };
}

/** The checkpoint a run starts from, described so the description survives the checkpoint. */
export interface RunStart {
  checkpointId: number;
  /** "my jigs, epoch 12" */
  label: string;
  /** Load the optimizer state too (continuing the same model), or only the weights (fine-tuning onto a wider vocabulary). */
  optimizer: boolean;
}

const ACTIVE: RunStatus[] = ['queued', 'running', 'paused'];

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs, their metrics and checkpoints. All run SQL lives here. */
export class RunRepo {
  constructor(private readonly db: Database.Database) {}

  /** Queues a run; `init` names a checkpoint whose weights it starts from (continuing, or fine-tuning another model). */
  createRun(modelId: number, hyperparams: Hyperparams, init?: RunStart): RunInfo {
    const id = Number(
      this.db
        .prepare(`INSERT INTO runs (model_id, hyperparams, status, init_checkpoint_id, init) VALUES (?, ?, 'queued', ?, ?)`)
        .run(modelId, JSON.stringify(hyperparams), init?.checkpointId ?? null, init ? JSON.stringify(init) : null).lastInsertRowid,
    );
    return this.run(id);
  }

  /** Where a run starts from: null from scratch; `checkpointId` null when that checkpoint has since been deleted. */
  runStart(runId: number): (Omit<RunStart, 'checkpointId'> & { checkpointId: number | null }) | null {
    const row = this.db.prepare('SELECT init_checkpoint_id AS checkpointId, init FROM runs WHERE id = ?').get(runId) as
      | { checkpointId: number | null; init: string | null }
      | undefined;
    if (!row?.init) return null;
    return { ...(JSON.parse(row.init) as RunStart), checkpointId: row.checkpointId };
  }

  /** A new time limit for a run's next session (`--max-minutes` on resume). */
  setTimeLimit(runId: number, seconds: number): void {
    const hp = this.run(runId).hyperparams;
    this.db.prepare('UPDATE runs SET hyperparams = ? WHERE id = ?').run(JSON.stringify({ ...hp, maxSeconds: seconds }), runId);
  }

  /** Records the machine a run trains on (for the model card). */
  setMachine(runId: number, machine: MachineInfo): void {
    this.db.prepare('UPDATE runs SET machine = ? WHERE id = ?').run(JSON.stringify(machine), runId);
  }

  run(id: number): RunInfo {
    const row = this.db.prepare(`SELECT ${RUN_COLUMNS} FROM runs r JOIN models m ON m.id = r.model_id WHERE r.id = ?`).get(id) as
      | (Omit<RunInfo, 'hyperparams'> & { hyperparams: string })
      | undefined;
    if (!row) throw new EtudeError('not_found', `no run with id ${id}`);
    return { ...row, hyperparams: { ...LEGACY_HYPERPARAMS, ...(JSON.parse(row.hyperparams) as Hyperparams) } };
  }

  runs(modelId?: number): RunInfo[] {
    const ids = (
      modelId === undefined
        ? this.db.prepare('SELECT id FROM runs ORDER BY id').pluck().all()
        : this.db.prepare('SELECT id FROM runs WHERE model_id = ? ORDER BY id').pluck().all(modelId)
    ) as number[];
    return ids.map((id) => this.run(id));
  }

  latestRun(modelId: number): RunInfo | null {
    const id = this.db.prepare('SELECT id FROM runs WHERE model_id = ? ORDER BY id DESC LIMIT 1').pluck().get(modelId) as number | undefined;
    return id === undefined ? null : this.run(id);
  }

  setStatus(runId: number, status: RunStatus, message: string | null = null): void {
    const ended = ACTIVE.includes(status) ? null : new Date().toISOString();
    this.db
      .prepare('UPDATE runs SET status = ?, message = ?, ended_at = ?, pid = CASE WHEN ? IS NULL THEN pid ELSE NULL END WHERE id = ?')
      .run(status, message, ended, ended, runId);
  }

  /** Marks a run as owned by this process (so a crash can be told from a run still going elsewhere). */
  claim(runId: number, backend: string): void {
    this.db
      .prepare(`UPDATE runs SET status = 'running', message = NULL, ended_at = NULL, backend = ?, pid = ?, heartbeat_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`)
      .run(backend, process.pid, runId);
  }

  progress(runId: number, p: { epoch: number; step: number; bestValLoss: number | null; seconds: number }): void {
    this.db
      .prepare(`UPDATE runs SET epoch = ?, step = ?, best_val_loss = ?, seconds = ?, heartbeat_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`)
      .run(p.epoch, p.step, p.bestValLoss, p.seconds, runId);
  }

  /**
   * Runs left 'running', 'paused' or 'queued' by a process that no longer exists become
   * 'interrupted': they resume from their last checkpoint. Runs of a live process are left alone.
   */
  recoverInterrupted(): number {
    const rows = this.db.prepare(`SELECT id, pid FROM runs WHERE status IN ('running', 'paused', 'queued')`).all() as { id: number; pid: number | null }[];
    let n = 0;
    for (const row of rows) {
      if (row.pid !== null && row.pid !== process.pid && isAlive(row.pid)) continue;
      this.setStatus(row.id, 'interrupted', 'the studio stopped while this run was training; resume it to continue from its last checkpoint');
      n++;
    }
    return n;
  }

  insertMetrics(runId: number, points: MetricPoint[]): void {
    const insert = this.db.prepare(
      'INSERT OR REPLACE INTO metrics (run_id, kind, step, epoch, loss, val_loss, heads, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const p of points) insert.run(runId, p.kind, p.step, p.epoch, p.loss, p.valLoss, p.heads ? JSON.stringify(p.heads) : null, p.at);
    })();
  }

  metrics(runId: number): MetricPoint[] {
    const rows = this.db
      .prepare('SELECT kind, step, epoch, loss, val_loss AS valLoss, heads, at FROM metrics WHERE run_id = ? ORDER BY kind, step')
      .all(runId) as (Omit<MetricPoint, 'heads'> & { heads: string | null })[];
    return rows.map((r) => ({ ...r, heads: r.heads ? (JSON.parse(r.heads) as Record<string, number>) : null }));
  }

  /** Drops metric points past a checkpoint, so a resumed run redraws the curve from where it truly was. */
  truncateMetrics(runId: number, afterStep: number): void {
    this.db.prepare('DELETE FROM metrics WHERE run_id = ? AND step > ?').run(runId, afterStep);
  }

  /** Saves a checkpoint; keeps one 'best', one 'last' and the newest `keepLast` periodic ones per run. */
  saveCheckpoint(c: NewCheckpoint, keepLast: number): number {
    return this.db.transaction(() => {
      if (c.kind !== 'periodic') this.db.prepare('DELETE FROM checkpoints WHERE run_id = ? AND kind = ?').run(c.runId, c.kind);
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO checkpoints (model_id, run_id, kind, epoch, step, batch, loss, val_loss, topology, manifest, weights, optimizer, weights_sha256, optimizer_sha256)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            c.modelId,
            c.runId,
            c.kind,
            c.epoch,
            c.step,
            c.batch,
            c.loss,
            c.valLoss,
            c.topology,
            c.manifest,
            Buffer.from(c.weights.buffer, c.weights.byteOffset, c.weights.byteLength),
            Buffer.from(c.optimizer.buffer, c.optimizer.byteOffset, c.optimizer.byteLength),
            sha256(c.weights),
            sha256(c.optimizer),
          ).lastInsertRowid,
      );
      if (c.kind === 'periodic') {
        this.db
          .prepare(
            `DELETE FROM checkpoints WHERE run_id = ? AND kind = 'periodic' AND id NOT IN
               (SELECT id FROM checkpoints WHERE run_id = ? AND kind = 'periodic' ORDER BY step DESC, id DESC LIMIT ?)`,
          )
          .run(c.runId, c.runId, keepLast);
      }
      this.db.prepare(`UPDATE models SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`).run(c.modelId);
      return id;
    })();
  }

  checkpoints(runId: number): CheckpointInfo[] {
    return (this.db.prepare(`SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints WHERE run_id = ? ORDER BY step, id`).all(runId) as CheckpointRow[]).map(withAudition);
  }

  /** The checkpoint to resume from: the furthest one of the run. */
  resumePoint(runId: number): CheckpointData | null {
    const id = this.db.prepare('SELECT id FROM checkpoints WHERE run_id = ? ORDER BY step DESC, id DESC LIMIT 1').pluck().get(runId) as number | undefined;
    return id === undefined ? null : this.checkpoint(id);
  }

  /** Every checkpoint of a model, newest last (for choosing one to generate from). */
  modelCheckpoints(modelId: number): CheckpointInfo[] {
    return (this.db.prepare(`SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints WHERE model_id = ? ORDER BY run_id, step, id`).all(modelId) as CheckpointRow[]).map(withAudition);
  }

  /** The checkpoint to generate from: the one asked for (it must be the model's), else the one chosen for the model, else the newest run's best, else the newest. */
  generationCheckpoint(modelId: number, checkpointId?: number): CheckpointData {
    if (checkpointId !== undefined) {
      const c = this.checkpoint(checkpointId);
      if (c.modelId !== modelId) throw new EtudeError('invalid_input', `checkpoint ${checkpointId} belongs to another model`);
      return c;
    }
    const model = this.db.prepare('SELECT name, generation_checkpoint_id AS chosen FROM models WHERE id = ?').get(modelId) as { name: string; chosen: number | null } | undefined;
    if (!model) throw new EtudeError('not_found', `no model with id ${modelId}`);
    const chosen = model.chosen;
    if (chosen !== null) return this.checkpoint(chosen);
    const id = this.db
      .prepare(`SELECT id FROM checkpoints WHERE model_id = ? ORDER BY run_id DESC, kind = 'best' DESC, step DESC, id DESC LIMIT 1`)
      .pluck()
      .get(modelId) as number | undefined;
    if (id === undefined) throw new EtudeError('invalid_input', `the model "${model.name}" has no checkpoint yet: train it for at least one epoch first`);
    return this.checkpoint(id);
  }

  /** Pins an audition (a short continuation of the run's fixed primer) to a checkpoint. */
  setAudition(checkpointId: number, audition: CheckpointAudition): void {
    this.db.prepare('UPDATE checkpoints SET audition = ? WHERE id = ?').run(JSON.stringify(audition), checkpointId);
  }

  /**
   * A checkpoint with its bytes, checked against the checksums written with them: every load (to
   * generate, score, continue, resume or export) goes through here, so damaged weights are refused
   * by name instead of generating takes nobody can explain.
   */
  checkpoint(id: number): CheckpointData {
    const row = this.db
      .prepare(
        `SELECT ${CHECKPOINT_COLUMNS}, model_id AS modelId, batch, topology, manifest, weights, optimizer,
           weights_sha256 AS weightsSha256, optimizer_sha256 AS optimizerSha256 FROM checkpoints WHERE id = ?`,
      )
      .get(id) as (Omit<CheckpointData, 'audition'> & { audition: string | null; weightsSha256: string | null; optimizerSha256: string | null }) | undefined;
    if (!row) throw new EtudeError('not_found', `no checkpoint with id ${id}`);
    const { weightsSha256, optimizerSha256, ...data } = row;
    const damaged = [!matches(row.weights, weightsSha256) ? 'weights' : null, !matches(row.optimizer, optimizerSha256) ? 'optimizer state' : null].filter((x) => x !== null);
    if (damaged.length > 0) throw new EtudeError('invalid_database', this.damagedCheckpointSentence(row, damaged.join(' and ')));
    return withAudition(data);
  }

  /** Names the damaged checkpoint and what to do instead: the model's previous checkpoint, else a backup. */
  private damagedCheckpointSentence(c: { id: number; modelId: number; epoch: number; step: number }, what: string): string {
    const model = (this.db.prepare('SELECT name FROM models WHERE id = ?').pluck().get(c.modelId) as string | undefined) ?? `model ${c.modelId}`;
    const previous = this.db
      .prepare('SELECT id, epoch FROM checkpoints WHERE model_id = ? AND id != ? AND (step < ? OR (step = ? AND id < ?)) ORDER BY step DESC, id DESC LIMIT 1')
      .get(c.modelId, c.id, c.step, c.step, c.id) as { id: number; epoch: number } | undefined;
    const offer = previous
      ? `choose its previous checkpoint (id ${previous.id}, epoch ${previous.epoch}) to generate from, or restore a backup of the library (etude backups)`
      : 'restore a backup of the library (etude backups) or reinstall the model from its .etude-model file';
    return `The ${what} of "${model}" (checkpoint ${c.id}, epoch ${c.epoch}) are damaged: their checksum no longer matches what was saved, so Etude will not use them. To go on, ${offer}.`;
  }

  /** Every checkpoint whose bytes no longer match their checksums (the full library check). One checkpoint in memory at a time. */
  damagedCheckpoints(): { id: number; model: string; epoch: number; parts: string[] }[] {
    const ids = this.db.prepare('SELECT id FROM checkpoints ORDER BY id').pluck().all() as number[];
    const one = this.db.prepare(
      `SELECT c.id, m.name AS model, c.epoch, c.weights, c.optimizer, c.weights_sha256 AS w, c.optimizer_sha256 AS o
       FROM checkpoints c JOIN models m ON m.id = c.model_id WHERE c.id = ?`,
    );
    const damaged: { id: number; model: string; epoch: number; parts: string[] }[] = [];
    for (const id of ids) {
      const r = one.get(id) as { id: number; model: string; epoch: number; weights: Buffer; optimizer: Buffer; w: string | null; o: string | null } | undefined;
      if (!r) continue;
      const parts = [!matches(r.weights, r.w) ? 'weights' : null, !matches(r.optimizer, r.o) ? 'optimizer state' : null].filter((x) => x !== null);
      if (parts.length > 0) damaged.push({ id: r.id, model: r.model, epoch: r.epoch, parts });
    }
    return damaged;
  }
}
