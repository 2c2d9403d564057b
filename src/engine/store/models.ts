import type Database from 'better-sqlite3';
import { EtudeError } from '../../shared/errors';
import { sha256 } from './checksums';
import { LEGACY_HYPERPARAMS, type CheckpointAudition, type CheckpointInfo, type Hyperparams, type MachineInfo, type MetricPoint, type ModelInfo, type ModelOrigin, type ModelSpec, type ModelSummary, type RunStatus } from '../../shared/training';
import type { NewCheckpoint, RunRepo } from './runs';
import type { NewVocabulary, VocabularyRepo } from './vocabularies';

/** A run as the model card and the shared file carry it. */
export interface RunRecord {
  id: number;
  hyperparams: Hyperparams;
  status: RunStatus;
  message: string | null;
  backend: string | null;
  machine: MachineInfo | null;
  startedFrom: string | null;
  epoch: number;
  step: number;
  bestValLoss: number | null;
  seconds: number;
  createdAt: string;
  endedAt: string | null;
}

/** What an imported model brings: its vocabulary, runs with their curves, and one checkpoint. */
export interface ImportedModel {
  name: string;
  spec: ModelSpec;
  parameters: number;
  origin: ModelOrigin;
  importedCard: string | null;
  vocabulary: Omit<NewVocabulary, 'pieces'>;
  runs: (Omit<RunRecord, 'id'> & { metrics: MetricPoint[] })[];
  /** The one checkpoint it brings; `run` indexes `runs`. */
  checkpoint: Omit<NewCheckpoint, 'modelId' | 'runId'> & { run: number; audition: CheckpointAudition | null };
}

const blob = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

const MODEL_COLUMNS = `id, name, vocabulary_id AS vocabularyId, corpus_id AS corpusId, architecture, spec, parameters, origin,
  generation_checkpoint_id AS generationCheckpointId, base_name AS baseName, based_on AS basedOn, created_at AS createdAt, updated_at AS updatedAt`;

/**
 * Models: create, read, rename, delete; the Models page's list (one query with sizes and totals);
 * the whole-model operations: duplicate, choose the generation checkpoint, the model card's
 * records, and inserting an imported model in one transaction. All model SQL lives here.
 */
export class ModelRepo {
  constructor(
    private readonly db: Database.Database,
    private readonly runs: RunRepo,
    private readonly vocabularies: VocabularyRepo,
  ) {}

  create(m: {
    name: string;
    vocabularyId: number;
    corpusId: number | null;
    spec: ModelSpec;
    parameters: number;
    origin?: ModelOrigin;
    importedCard?: string;
    /** A base model the studio ships: its name in the catalog. */
    baseName?: string;
    /** The base model this one personalises. */
    basedOn?: number;
  }): ModelInfo {
    const name = m.name.trim();
    if (this.byName(name)) throw new EtudeError('conflict', `a model named "${name}" already exists`);
    const id = Number(
      this.db
        .prepare('INSERT INTO models (name, vocabulary_id, corpus_id, architecture, spec, parameters, origin, imported_card, base_name, based_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(name, m.vocabularyId, m.corpusId, m.spec.arch, JSON.stringify(m.spec), m.parameters, JSON.stringify(m.origin ?? { kind: 'trained' }), m.importedCard ?? null, m.baseName ?? null, m.basedOn ?? null)
        .lastInsertRowid,
    );
    return this.get(id);
  }

  /** The installed base model of a catalog name, or null. */
  byBaseName(baseName: string): ModelInfo | null {
    const id = this.db.prepare('SELECT id FROM models WHERE base_name = ?').pluck().get(baseName) as number | undefined;
    return id === undefined ? null : this.get(id);
  }

  /** Marks an imported model as the catalog's base model of that name. */
  markBase(id: number, baseName: string): void {
    this.db.prepare('UPDATE models SET base_name = ? WHERE id = ?').run(baseName, id);
  }

  get(id: number): ModelInfo {
    const row = this.db.prepare(`SELECT ${MODEL_COLUMNS} FROM models WHERE id = ?`).get(id) as
      | (Omit<ModelInfo, 'spec' | 'origin' | 'base'> & { spec: string; origin: string | null })
      | undefined;
    if (!row) throw new EtudeError('not_found', `no model with id ${id}`);
    return { ...row, base: row.baseName !== null, spec: JSON.parse(row.spec) as ModelSpec, origin: row.origin ? (JSON.parse(row.origin) as ModelOrigin) : { kind: 'trained' } };
  }

  byName(name: string): ModelInfo | null {
    const id = this.db.prepare('SELECT id FROM models WHERE name = ?').pluck().get(name.trim()) as number | undefined;
    return id === undefined ? null : this.get(id);
  }

  /** `base` if no model has that name, else the first free of `variant(base, 1)`, `variant(base, 2)`, … */
  freeName(base: string, variant: (base: string, n: number) => string): string {
    const clean = base.trim();
    if (!this.byName(clean)) return clean;
    for (let n = 1; ; n++) {
      const candidate = variant(clean, n);
      if (!this.byName(candidate)) return candidate;
    }
  }

  /** Models by id and name alone, with the base model each one is (a rescue: the list reads every checkpoint's size). */
  names(): { id: number; name: string; baseName: string | null }[] {
    return this.db.prepare('SELECT id, name, base_name AS baseName FROM models ORDER BY id').all() as { id: number; name: string; baseName: string | null }[];
  }

  list(): ModelInfo[] {
    const ids = this.db.prepare('SELECT id FROM models ORDER BY name COLLATE NOCASE').pluck().all() as number[];
    return ids.map((id) => this.get(id));
  }

  rename(id: number, name: string): ModelInfo {
    const clean = name.trim();
    const other = this.byName(clean);
    if (other && other.id !== id) throw new EtudeError('conflict', `a model named "${clean}" already exists`);
    this.get(id);
    this.db.prepare(`UPDATE models SET name = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`).run(clean, id);
    return this.get(id);
  }

  /** Deletes a model with its runs, curves, checkpoints and generations, in one transaction; never while it trains. */
  delete(id: number): { runs: number; checkpoints: number; generations: number } {
    const model = this.get(id);
    const active = this.db.prepare(`SELECT count(*) FROM runs WHERE model_id = ? AND status IN ('queued', 'running', 'paused')`).pluck().get(id) as number;
    if (active > 0) throw new EtudeError('conflict', `"${model.name}" is training: stop or cancel its run before deleting it`);
    const result = this.db.transaction(() => {
      const count = (sql: string) => this.db.prepare(sql).pluck().get(id) as number;
      const freed = {
        runs: count('SELECT count(*) FROM runs WHERE model_id = ?'),
        checkpoints: count('SELECT count(*) FROM checkpoints WHERE model_id = ?'),
        generations: count('SELECT count(*) FROM generations WHERE model_id = ?'),
      };
      this.db.prepare('DELETE FROM models WHERE id = ?').run(id);
      return freed;
    })();
    // Give the freed checkpoint pages back to the disk (databases created before auto_vacuum reuse them instead).
    this.db.pragma('incremental_vacuum');
    return result;
  }


  summaries(): ModelSummary[] {
    const rows = this.db
      .prepare(
        `SELECT m.id, v.corpus_name AS corpus, v.encoding, v.size AS vocabularySize,
           (SELECT coalesce(sum(epoch), 0) FROM runs WHERE model_id = m.id) AS epochs,
           (SELECT min(best_val_loss) FROM runs WHERE model_id = m.id) AS bestValLoss,
           (SELECT coalesce(sum(seconds), 0) FROM runs WHERE model_id = m.id) AS seconds,
           (SELECT count(*) FROM checkpoints WHERE model_id = m.id) AS checkpoints,
           (SELECT coalesce(sum(length(weights) + length(optimizer) + length(manifest) + length(topology) + coalesce(length(audition), 0)), 0)
              FROM checkpoints WHERE model_id = m.id)
           + (SELECT coalesce(sum(length(takes) + length(params) + length(primer)), 0) FROM generations WHERE model_id = m.id)
           + 48 * (SELECT count(*) FROM metrics WHERE run_id IN (SELECT id FROM runs WHERE model_id = m.id))
           + coalesce(length(m.imported_card), 0) AS sizeBytes,
           r.id AS latestRunId, r.status, r.backend
         FROM models m JOIN vocabularies v ON v.id = m.vocabulary_id
         LEFT JOIN runs r ON r.id = (SELECT max(id) FROM runs WHERE model_id = m.id)
         ORDER BY m.name COLLATE NOCASE`,
      )
      .all() as (Omit<ModelSummary, keyof ModelInfo> & { id: number })[];
    return rows.map((r) => ({ ...this.get(r.id), ...r }));
  }

  /** Chooses the checkpoint Compose generates from (null: the latest run's best). */
  setGenerationCheckpoint(modelId: number, checkpointId: number | null): void {
    this.get(modelId);
    if (checkpointId !== null && this.runs.checkpoint(checkpointId).modelId !== modelId) {
      throw new EtudeError('invalid_input', `checkpoint ${checkpointId} belongs to another model`);
    }
    this.db.prepare('UPDATE models SET generation_checkpoint_id = ? WHERE id = ?').run(checkpointId, modelId);
  }

  /**
   * A copy of a model under a new name: its runs, curves and checkpoints (so it can be trained on
   * or fine-tuned without touching the original), in one transaction. Generations stay with the
   * original. Never while the model trains (its newest checkpoint would be missing).
   */
  duplicate(modelId: number, name: string): number {
    const source = this.get(modelId);
    const clean = name.trim();
    if (this.byName(clean)) throw new EtudeError('conflict', `a model named "${clean}" already exists`);
    const active = this.db.prepare(`SELECT count(*) FROM runs WHERE model_id = ? AND status IN ('queued', 'running', 'paused')`).pluck().get(modelId) as number;
    if (active > 0) throw new EtudeError('conflict', `"${source.name}" is training: duplicate it once its run pauses or ends`);
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO models (name, vocabulary_id, corpus_id, architecture, spec, parameters, origin, imported_card, based_on)
             SELECT ?, vocabulary_id, corpus_id, architecture, spec, parameters, ?, imported_card, based_on FROM models WHERE id = ?`,
          )
          .run(clean, JSON.stringify({ kind: 'duplicate', from: source.name } satisfies ModelOrigin), modelId).lastInsertRowid,
      );
      const runs = this.db.prepare('SELECT id FROM runs WHERE model_id = ? ORDER BY id').pluck().all(modelId) as number[];
      const checkpointIds = new Map<number, number>();
      for (const runId of runs) {
        const newRun = Number(
          this.db
            .prepare(
              `INSERT INTO runs (model_id, hyperparams, status, message, backend, epoch, step, best_val_loss, seconds, created_at, ended_at, init, machine)
               SELECT ?, hyperparams, status, message, backend, epoch, step, best_val_loss, seconds, created_at, ended_at, init, machine FROM runs WHERE id = ?`,
            )
            .run(id, runId).lastInsertRowid,
        );
        this.db.prepare('INSERT INTO metrics (run_id, kind, step, epoch, loss, val_loss, heads, at) SELECT ?, kind, step, epoch, loss, val_loss, heads, at FROM metrics WHERE run_id = ?').run(newRun, runId);
        const checkpoints = this.db.prepare('SELECT id FROM checkpoints WHERE run_id = ? ORDER BY id').pluck().all(runId) as number[];
        for (const c of checkpoints) {
          const copy = this.db
            .prepare(
              `INSERT INTO checkpoints (model_id, run_id, kind, epoch, step, batch, loss, val_loss, topology, manifest, weights, optimizer, audition, created_at, weights_sha256, optimizer_sha256)
               SELECT ?, ?, kind, epoch, step, batch, loss, val_loss, topology, manifest, weights, optimizer, audition, created_at, weights_sha256, optimizer_sha256 FROM checkpoints WHERE id = ?`,
            )
            .run(id, newRun, c).lastInsertRowid;
          checkpointIds.set(c, Number(copy));
        }
      }
      if (source.generationCheckpointId !== null) {
        this.db.prepare('UPDATE models SET generation_checkpoint_id = ? WHERE id = ?').run(checkpointIds.get(source.generationCheckpointId) ?? null, id);
      }
      return id;
    })();
  }

  /** A model's runs, oldest first, with what each started from and the machine it ran on. */
  runRecords(modelId: number): RunRecord[] {
    const rows = this.db
      .prepare(
        `SELECT id, hyperparams, status, message, backend, machine, init, epoch, step, best_val_loss AS bestValLoss, seconds,
           created_at AS createdAt, ended_at AS endedAt FROM runs WHERE model_id = ? ORDER BY id`,
      )
      .all(modelId) as (Omit<RunRecord, 'hyperparams' | 'machine' | 'startedFrom'> & { hyperparams: string; machine: string | null; init: string | null })[];
    return rows.map(({ init, ...r }) => ({
      ...r,
      hyperparams: { ...LEGACY_HYPERPARAMS, ...(JSON.parse(r.hyperparams) as Hyperparams) },
      machine: r.machine ? (JSON.parse(r.machine) as MachineInfo) : null,
      startedFrom: init ? (JSON.parse(init) as { label: string }).label : null,
    }));
  }

  /** The card an imported model came with, as stored at import. */
  importedCard(modelId: number): string | null {
    return (this.db.prepare('SELECT imported_card FROM models WHERE id = ?').pluck().get(modelId) as string | null | undefined) ?? null;
  }

  /**
   * A model's auditions, oldest first, with the run each belongs to: one per saved step (the best
   * and the periodic checkpoint of one epoch share one rendering).
   */
  auditions(modelId: number): { runId: number; epoch: number; kind: CheckpointInfo['kind']; valLoss: number | null; audition: CheckpointAudition }[] {
    const rows = this.db
      .prepare(
        `SELECT run_id AS runId, epoch, kind, val_loss AS valLoss, audition FROM checkpoints
         WHERE id IN (SELECT min(id) FROM checkpoints WHERE model_id = ? AND audition IS NOT NULL GROUP BY run_id, step)
         ORDER BY run_id, step, id`,
      )
      .all(modelId) as { runId: number; epoch: number; kind: CheckpointInfo['kind']; valLoss: number | null; audition: string }[];
    return rows.map((r) => ({ ...r, audition: JSON.parse(r.audition) as CheckpointAudition }));
  }

  /** Inserts an imported model, all or nothing. Returns the new model's id. */
  insertImported(m: ImportedModel): number {
    return this.db.transaction(() => {
      const vocabularyId = this.vocabularies.insert({ ...m.vocabulary, pieces: [] });
      const model = this.create({
        name: m.name,
        vocabularyId,
        corpusId: null,
        spec: m.spec,
        parameters: m.parameters,
        origin: m.origin,
        ...(m.importedCard ? { importedCard: m.importedCard } : {}),
      });
      const runIds = m.runs.map((r) => {
        const id = Number(
          this.db
            .prepare(
              `INSERT INTO runs (model_id, hyperparams, status, message, backend, machine, init, epoch, step, best_val_loss, seconds, created_at, ended_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              model.id,
              JSON.stringify(r.hyperparams),
              r.status,
              r.message,
              r.backend,
              r.machine ? JSON.stringify(r.machine) : null,
              r.startedFrom ? JSON.stringify({ label: r.startedFrom }) : null,
              r.epoch,
              r.step,
              r.bestValLoss,
              r.seconds,
              r.createdAt,
              r.endedAt ?? r.createdAt,
            ).lastInsertRowid,
        );
        this.runs.insertMetrics(id, r.metrics);
        return id;
      });
      const c = m.checkpoint;
      const runId = runIds[c.run];
      if (runId === undefined) throw new EtudeError('invalid_input', 'the checkpoint refers to a run the file does not hold');
      const checkpointId = Number(
        this.db
          .prepare(
            `INSERT INTO checkpoints (model_id, run_id, kind, epoch, step, batch, loss, val_loss, topology, manifest, weights, optimizer, audition, weights_sha256, optimizer_sha256)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            model.id,
            runId,
            c.kind,
            c.epoch,
            c.step,
            c.batch,
            c.loss,
            c.valLoss,
            c.topology,
            c.manifest,
            blob(c.weights),
            blob(c.optimizer),
            c.audition ? JSON.stringify(c.audition) : null,
            sha256(c.weights),
            sha256(c.optimizer),
          )
          .lastInsertRowid,
      );
      this.db.prepare('UPDATE models SET generation_checkpoint_id = ? WHERE id = ?').run(checkpointId, model.id);
      return model.id;
    })();
  }
}
