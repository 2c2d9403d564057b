import type { EncodingInfo, EncodingKind, ParamValue, VocabularySummary, VocabularyToken } from '../../../../shared/encoding';
import type { Recommendation } from '../../../../shared/training';
import { engine } from './engine.svelte';

/** Quiet time after a change of corpus, reading or setting before the corpus is read again. */
const SETTLE_MS = 400;

/**
 * The Train page's reading of the corpus: which encoding, its parameters, and the vocabulary,
 * built (or found already built) by itself whenever the choice changes, so the musician never has
 * an "encode" step to remember.
 */
class VocabState {
  encodings = $state<EncodingInfo[]>([]);
  corpusId = $state<number | null>(null);
  kind = $state<EncodingKind>('events');
  params = $state<Record<string, ParamValue>>({});
  minCount = $state(1);
  maxSize = $state(50_000);
  building = $state<{ done: number; total: number } | null>(null);
  vocabulary = $state<VocabularySummary | null>(null);
  vocabularies = $state<VocabularySummary[]>([]);
  tokens = $state<VocabularyToken[]>([]);
  tokenTotal = $state(0);
  tokenSearch = $state('');
  error = $state<string | null>(null);
  /** What the studio recommends for the corpus, with its reasons. */
  recommendation = $state<Recommendation | null>(null);
  /** The musician chose the reading: a new corpus no longer resets it to the recommendation. */
  private byHand = false;
  /** The choices changed since the vocabulary shown was read. */
  stale = $state(false);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private builds = 0;

  readonly info = $derived(this.encodings.find((e) => e.kind === this.kind) ?? null);

  constructor() {
    engine.client.on('vocabularies.progress', (p) => {
      if (this.building && p.corpusId === this.corpusId) this.building = { done: p.done, total: p.total };
    });
  }

  async load(): Promise<void> {
    try {
      if (this.encodings.length === 0) {
        this.encodings = await engine.client.call('encodings.list', {});
        this.chooseEncoding(this.kind, false);
      }
      await this.refreshList();
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  chooseEncoding(kind: EncodingKind, byHand = true): void {
    this.kind = kind;
    this.params = { ...(this.encodings.find((e) => e.kind === kind)?.defaults ?? {}) };
    if (byHand) this.byHand = true;
    this.schedule();
  }

  setParam(key: string, value: ParamValue): void {
    this.params[key] = value;
    this.schedule();
  }

  setLimits(minCount: number, maxSize: number): void {
    this.minCount = minCount;
    this.maxSize = maxSize;
    this.schedule();
  }

  async chooseCorpus(id: number | null): Promise<void> {
    this.corpusId = id;
    this.vocabulary = null;
    this.tokens = [];
    this.recommendation = null;
    await this.refreshList();
    if (id === null) return;
    try {
      const rec = await engine.client.call('training.recommend', { corpusId: id });
      if (this.corpusId !== id) return;
      this.recommendation = rec;
      if (!this.byHand && this.encodings.some((e) => e.kind === rec.encoding)) {
        this.kind = rec.encoding as EncodingKind;
        this.params = { ...(this.info?.defaults ?? {}), ...rec.params };
      }
    } catch {
      // An empty corpus has nothing to recommend from: the reading stays as it is.
    }
    this.schedule();
  }

  /** The reading is the one recommended for this corpus. */
  get isRecommended(): boolean {
    const rec = this.recommendation;
    return rec !== null && rec.encoding === this.kind && Object.entries(rec.params).every(([k, v]) => this.params[k] === v);
  }

  /** Reads the corpus once the choices have settled. */
  schedule(): void {
    clearTimeout(this.timer);
    if (this.corpusId === null || this.encodings.length === 0) return;
    this.stale = true;
    this.timer = setTimeout(() => void this.build(), SETTLE_MS);
  }

  async refreshList(): Promise<void> {
    this.vocabularies = this.corpusId === null ? [] : await engine.client.call('vocabularies.list', { corpusId: this.corpusId });
  }

  /** Builds the vocabulary the choices describe (the engine returns one already built for them at once). */
  async build(): Promise<VocabularySummary | null> {
    clearTimeout(this.timer);
    if (this.corpusId === null) return null;
    const ask = ++this.builds;
    this.error = null;
    this.building = { done: 0, total: 0 };
    try {
      const built = await engine.client.call('vocabularies.build', {
        corpusId: this.corpusId,
        encoding: this.kind,
        params: $state.snapshot(this.params),
        minCount: this.minCount,
        maxSize: this.maxSize,
      });
      if (ask !== this.builds) return null;
      this.stale = false;
      if (built.id !== this.vocabulary?.id) {
        this.vocabulary = built;
        this.tokenSearch = '';
        await this.loadTokens();
        await this.refreshList();
      }
      return built;
    } catch (err) {
      if (ask === this.builds) {
        this.vocabulary = null;
        this.error = (err as Error).message;
      }
      return null;
    } finally {
      if (ask === this.builds) this.building = null;
    }
  }

  async open(id: number): Promise<void> {
    this.vocabulary = await engine.client.call('vocabularies.get', { id });
    this.tokenSearch = '';
    await this.loadTokens();
  }

  async loadTokens(): Promise<void> {
    if (!this.vocabulary || this.vocabulary.representation !== 'tokens') {
      this.tokens = [];
      this.tokenTotal = 0;
      return;
    }
    const page = await engine.client.call('vocabularies.tokens', { id: this.vocabulary.id, limit: 1000, search: this.tokenSearch || undefined });
    this.tokens = page.tokens;
    this.tokenTotal = page.total;
  }
}

export const vocab = new VocabState();
