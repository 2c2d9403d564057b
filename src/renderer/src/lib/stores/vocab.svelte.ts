import type { EncodingInfo, EncodingKind, ParamValue, VocabularySummary, VocabularyToken } from '../../../../shared/encoding';
import { engine } from './engine.svelte';

/** The Train page's encoding step: which encoding, its parameters, the built vocabulary, its tokens. */
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
        this.chooseEncoding(this.kind);
      }
      await this.refreshList();
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  chooseEncoding(kind: EncodingKind): void {
    this.kind = kind;
    this.params = { ...(this.encodings.find((e) => e.kind === kind)?.defaults ?? {}) };
  }

  async chooseCorpus(id: number | null): Promise<void> {
    this.corpusId = id;
    this.vocabulary = null;
    this.tokens = [];
    await this.refreshList();
  }

  async refreshList(): Promise<void> {
    this.vocabularies = this.corpusId === null ? [] : await engine.client.call('vocabularies.list', { corpusId: this.corpusId });
  }

  async build(): Promise<void> {
    if (this.corpusId === null) return;
    this.error = null;
    this.building = { done: 0, total: 0 };
    try {
      this.vocabulary = await engine.client.call('vocabularies.build', {
        corpusId: this.corpusId,
        encoding: this.kind,
        params: $state.snapshot(this.params),
        minCount: this.minCount,
        maxSize: this.maxSize,
      });
      this.tokenSearch = '';
      await this.loadTokens();
      await this.refreshList();
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      this.building = null;
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
