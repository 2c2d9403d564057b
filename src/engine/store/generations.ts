import type Database from 'better-sqlite3';
import { EtudeError } from '../../shared/errors';
import type { GenerationInfo, GenerationSummary, StoredPrimer, Take } from '../../shared/generation';

export type NewGeneration = Omit<GenerationInfo, 'id' | 'model' | 'starred' | 'createdAt'>;

interface Row {
  id: number;
  name: string;
  modelId: number;
  model: string;
  checkpointId: number | null;
  checkpointEpoch: number;
  primerLabel: string;
  primer: string;
  params: string;
  starred: number;
  parentId: number | null;
  ppq: number;
  tempos: string;
  timeSignatures: string;
  takes: string;
  notices: string;
  seconds: number;
  createdAt: string;
}

const COLUMNS = `g.id, g.name, g.model_id AS modelId, m.name AS model, g.checkpoint_id AS checkpointId, g.checkpoint_epoch AS checkpointEpoch,
  g.primer_label AS primerLabel, g.primer, g.params, g.starred, g.parent_id AS parentId, g.ppq, g.tempos, g.time_signatures AS timeSignatures,
  g.takes, g.notices, g.seconds, g.created_at AS createdAt`;

function toInfo(row: Row): GenerationInfo {
  return {
    ...row,
    primer: JSON.parse(row.primer) as StoredPrimer,
    params: JSON.parse(row.params) as GenerationInfo['params'],
    starred: row.starred === 1,
    tempos: JSON.parse(row.tempos) as GenerationInfo['tempos'],
    timeSignatures: JSON.parse(row.timeSignatures) as GenerationInfo['timeSignatures'],
    takes: JSON.parse(row.takes) as Take[],
    notices: JSON.parse(row.notices) as string[],
  };
}

/** Stored generations. All generation SQL lives here. */
export class GenerationRepo {
  constructor(private readonly db: Database.Database) {}

  /** Stores a finished generation in one statement: a cancelled or failed one never reaches here. */
  insert(g: NewGeneration): GenerationInfo {
    const id = Number(
      this.db
        .prepare(
          `INSERT INTO generations (name, model_id, checkpoint_id, checkpoint_epoch, primer_label, primer, params, parent_id, ppq, tempos, time_signatures, takes, notices, seconds)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          g.name,
          g.modelId,
          g.checkpointId,
          g.checkpointEpoch,
          g.primerLabel,
          JSON.stringify(g.primer),
          JSON.stringify(g.params),
          g.parentId,
          g.ppq,
          JSON.stringify(g.tempos),
          JSON.stringify(g.timeSignatures),
          JSON.stringify(g.takes),
          JSON.stringify(g.notices),
          g.seconds,
        ).lastInsertRowid,
    );
    return this.get(id);
  }

  get(id: number): GenerationInfo {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM generations g JOIN models m ON m.id = g.model_id WHERE g.id = ?`).get(id) as Row | undefined;
    if (!row) throw new EtudeError('not_found', `no generation with id ${id}`);
    return toInfo(row);
  }

  /** Newest first; starred ones only when asked. */
  list(options: { modelId?: number; starred?: boolean } = {}): GenerationSummary[] {
    const rows = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM generations g JOIN models m ON m.id = g.model_id
         WHERE (@modelId IS NULL OR g.model_id = @modelId) AND (@starred IS NULL OR g.starred = @starred)
         ORDER BY g.id DESC`,
      )
      .all({ modelId: options.modelId ?? null, starred: options.starred === undefined ? null : options.starred ? 1 : 0 }) as Row[];
    return rows.map((row) => {
      const { takes, ...rest } = toInfo(row);
      return { ...rest, takeCount: takes.length, noteCount: takes.reduce((n, t) => n + t.notes.length, 0) };
    });
  }

  rename(id: number, name: string): GenerationInfo {
    const clean = name.trim();
    if (clean === '') throw new EtudeError('invalid_input', 'a generation needs a name');
    if (this.db.prepare('UPDATE generations SET name = ? WHERE id = ?').run(clean, id).changes === 0) throw new EtudeError('not_found', `no generation with id ${id}`);
    return this.get(id);
  }

  star(id: number, starred: boolean): GenerationInfo {
    if (this.db.prepare('UPDATE generations SET starred = ? WHERE id = ?').run(starred ? 1 : 0, id).changes === 0) throw new EtudeError('not_found', `no generation with id ${id}`);
    return this.get(id);
  }

  /** Stars or unstars one take; the generation counts as starred while any of its takes is. */
  starTake(id: number, take: number, starred: boolean): GenerationInfo {
    const g = this.get(id);
    if (!g.takes.some((t) => t.index === take)) throw new EtudeError('invalid_input', `generation ${id} has no take ${take + 1}`);
    const takes = g.takes.map((t) => (t.index === take ? { ...t, starred } : t));
    this.db.prepare('UPDATE generations SET takes = ?, starred = ? WHERE id = ?').run(JSON.stringify(takes), takes.some((t) => t.starred) ? 1 : 0, id);
    return this.get(id);
  }

  /** Replaces one take (a regenerated variation), keeping the others. */
  replaceTake(id: number, take: Take): GenerationInfo {
    const g = this.get(id);
    if (take.index < 0 || take.index >= g.takes.length) throw new EtudeError('invalid_input', `generation ${id} has no take ${take.index + 1}`);
    // A regenerated take is new music: it starts unstarred.
    const takes = g.takes.map((t) => (t.index === take.index ? { ...take, starred: false } : t));
    this.db.prepare('UPDATE generations SET takes = ?, starred = ? WHERE id = ?').run(JSON.stringify(takes), takes.some((t) => t.starred) ? 1 : 0, id);
    return this.get(id);
  }

  delete(id: number): void {
    if (this.db.prepare('DELETE FROM generations WHERE id = ?').run(id).changes === 0) throw new EtudeError('not_found', `no generation with id ${id}`);
  }

  nextName(modelName: string): string {
    const n = (this.db.prepare('SELECT count(*) FROM generations g JOIN models m ON m.id = g.model_id WHERE m.name = ?').pluck().get(modelName) as number) + 1;
    // "generation", not "take": a generation holds several takes, and "take 1" named the wrong one.
    return `${modelName} generation ${n}`;
  }
}
