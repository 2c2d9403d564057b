import type { CorpusSummary } from '../../../../shared/library';
import type { ModelEvaluation } from '../../../../shared/evaluation';
import type { ScoreReport } from '../../../../shared/scoring';
import type { CheckpointInfo, ModelCard, ModelCurvePoint, ModelSummary } from '../../../../shared/training';
import { engine } from './engine.svelte';

export type SortKey = 'name' | 'corpus' | 'encoding' | 'architecture' | 'parameters' | 'epochs' | 'bestValLoss' | 'sizeBytes' | 'createdAt' | 'updatedAt';

/** The Models page's state: the list, the selection and its card, the comparison, the scores, the last action's outcome. */
class ModelLibrary {
  models = $state<ModelSummary[]>([]);
  corpora = $state<CorpusSummary[]>([]);
  loaded = $state(false);
  filter = $state('');
  sort = $state<{ key: SortKey; descending: boolean }>({ key: 'name', descending: false });
  compared = $state<number[]>([]);
  selectedId = $state<number | null>(null);
  card = $state<ModelCard | null>(null);
  checkpoints = $state<CheckpointInfo[]>([]);
  actionError = $state<string | null>(null);
  notice = $state<string | null>(null);
  /** Loss curves of the compared models, epochs counted over all their runs. */
  curves = $state<{ model: string; points: ModelCurvePoint[] }[]>([]);
  scored = $state<{ evaluation: ModelEvaluation | null; error: string | null } | null>(null);
  /** The selected model's likelihood of a chosen corpus (pieces it trained on left out). */
  corpusScore = $state<{ corpusId: number; report: ScoreReport | null; error: string | null } | null>(null);

  readonly shown = $derived.by(() => {
    const words = this.filter.toLowerCase().split(/\s+/).filter(Boolean);
    const matches = (m: ModelSummary) => words.every((w) => [m.name, m.corpus ?? '', m.encoding, m.architecture, m.origin.kind].some((f) => f.toLowerCase().includes(w)));
    const { key, descending } = this.sort;
    const value = (m: ModelSummary) => m[key] ?? (descending ? -Infinity : Infinity);
    return this.models.filter(matches).sort((a, b) => {
      const x = value(a);
      const y = value(b);
      const order = typeof x === 'string' && typeof y === 'string' ? x.localeCompare(y, undefined, { sensitivity: 'base', numeric: true }) : Number(x) - Number(y);
      return descending ? -order : order;
    });
  });
  readonly selected = $derived(this.models.find((m) => m.id === this.selectedId) ?? null);

  /** Listens for the engine's changes; returns the unsubscribe. */
  watch(): () => void {
    void this.load();
    const offs = [
      engine.client.on('training.status', () => void this.load()),
      engine.client.on('models.changed', () => void this.load()),
      engine.client.on('training.checkpoint', () => {
        void this.load();
        if (this.selectedId !== null) void this.select(this.selectedId);
      }),
    ];
    return () => offs.forEach((off) => off());
  }

  async load(): Promise<void> {
    [this.models, this.corpora] = await Promise.all([engine.client.call('models.list', {}), engine.client.call('corpora.list', {})]);
    this.loaded = true;
    if (this.selectedId !== null && !this.models.some((m) => m.id === this.selectedId)) void this.select(null);
    const kept = this.compared.filter((id) => this.models.some((m) => m.id === id));
    if (kept.length !== this.compared.length) this.setCompared(kept);
  }

  async select(id: number | null): Promise<void> {
    this.selectedId = id;
    this.card = null;
    this.checkpoints = [];
    this.scored = null;
    this.corpusScore = null;
    if (id === null) return;
    const [card, checkpoints] = await Promise.all([engine.client.call('models.card', { id }), engine.client.call('models.checkpoints', { modelId: id })]);
    if (this.selectedId === id) {
      this.card = card;
      this.checkpoints = checkpoints;
    }
  }

  sortBy(key: SortKey): void {
    this.sort = { key, descending: this.sort.key === key ? !this.sort.descending : ['epochs', 'parameters', 'sizeBytes', 'updatedAt', 'createdAt'].includes(key) };
  }

  arrow(key: SortKey): string {
    return this.sort.key === key ? (this.sort.descending ? ' ▼' : ' ▲') : '';
  }

  /** Runs an action, then reloads; its error or `done` is shown on the page. */
  async act(work: () => Promise<unknown>, done?: string): Promise<void> {
    this.actionError = null;
    this.notice = null;
    try {
      await work();
      if (done) this.notice = done;
      await this.load();
      if (this.selectedId !== null) await this.select(this.selectedId);
    } catch (err) {
      this.actionError = (err as Error).message;
    }
  }

  toggleCompared(id: number): void {
    this.setCompared(this.compared.includes(id) ? this.compared.filter((x) => x !== id) : [...this.compared, id]);
  }

  private setCompared(ids: number[]): void {
    this.compared = ids;
    void this.loadCurves(ids);
  }

  /** One call a compared model: its loss curve over all its runs. */
  private async loadCurves(ids: number[]): Promise<void> {
    if (ids.length < 2) {
      this.curves = [];
      return;
    }
    const curves = await Promise.all(ids.map(async (id) => ({ model: this.models.find((m) => m.id === id)?.name ?? String(id), points: await engine.client.call('models.curve', { id }) })));
    if (ids.join() === this.compared.join()) this.curves = curves;
  }

  /** Scores the model on a corpus: nats a note and a token, on the pieces it never trained on. */
  async scoreOn(id: number, corpusId: number): Promise<void> {
    this.corpusScore = { corpusId, report: null, error: null };
    try {
      const report = await engine.client.call('models.score', { id, corpusId });
      if (this.selectedId === id && this.corpusScore?.corpusId === corpusId) this.corpusScore = { corpusId, report, error: null };
    } catch (err) {
      if (this.selectedId === id && this.corpusScore?.corpusId === corpusId) this.corpusScore = { corpusId, report: null, error: (err as Error).message };
    }
  }

  /** Validation scores by kind of token. */
  async score(id: number): Promise<void> {
    this.scored = { evaluation: null, error: null };
    try {
      const evaluation = await engine.client.call('models.evaluate', { modelId: id });
      if (this.selectedId === id) this.scored = { evaluation, error: null };
    } catch (err) {
      if (this.selectedId === id) this.scored = { evaluation: null, error: (err as Error).message };
    }
  }
}

export const modelLibrary = new ModelLibrary();
