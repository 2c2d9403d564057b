import { STARTER_CORPUS, type CorpusCheck, type CorpusSummary, type ImportSummary, type PieceDetail, type PieceSummary, type TrackRule } from '../../../../shared/library';
import { DISK_FULL } from '../../../../shared/errors';
import { SvelteSet } from 'svelte/reactivity';
import { engine } from './engine.svelte';
import { bytesToBase64 } from '../file-bytes';

export type PieceSort = 'title' | 'duration' | 'notes' | 'imported';

export interface ImportState {
  importId: string;
  corpus: string;
  total: number;
  done: number;
  imported: number;
  failed: number;
  cancelling: boolean;
}

/** Files are sent to the engine in batches of about this many bytes (base64 adds a third). */
const UPLOAD_BATCH_BYTES = 6 * 1024 * 1024;

/** The Library page's state: corpora, the chosen corpus's pieces, the open piece, imports. */
class Library {
  corpora = $state<CorpusSummary[]>([]);
  corpusId = $state<number | null>(null);
  pieces = $state<PieceSummary[]>([]);
  total = $state(0);
  search = $state('');
  sort = $state<PieceSort>('title');
  descending = $state(false);
  piece = $state<PieceDetail | null>(null);
  /** Pieces ticked in the table, for moving or deleting several at once. */
  readonly selected = new SvelteSet<number>();
  check = $state<CorpusCheck | null>(null);
  importing = $state<ImportState | null>(null);
  lastImport = $state<ImportSummary | null>(null);
  /** Files of the last import that were left out because they are not MIDI or ABC. */
  skippedOnImport = $state<string[]>([]);
  error = $state<string | null>(null);
  loaded = $state(false);

  readonly corpus = $derived(this.corpora.find((c) => c.id === this.corpusId) ?? null);

  constructor() {
    engine.client.on('corpora.changed', () => void this.refresh());
  }

  private fail(err: unknown): void {
    this.error = err instanceof Error ? err.message : String(err);
  }

  async refresh(): Promise<void> {
    try {
      this.corpora = await engine.client.call('corpora.list', {});
      this.loaded = true;
      if (this.corpusId === null || !this.corpora.some((c) => c.id === this.corpusId)) {
        this.corpusId = this.corpora[0]?.id ?? null;
        this.piece = null;
      }
      await this.refreshPieces();
    } catch (err) {
      this.fail(err);
    }
  }

  async selectCorpus(id: number): Promise<void> {
    if (id === this.corpusId) return;
    this.corpusId = id;
    this.error = null;
    this.piece = null;
    this.check = null;
    this.selected.clear();
    this.search = '';
    await this.refreshPieces();
  }

  async refreshPieces(): Promise<void> {
    if (this.corpusId === null) {
      this.pieces = [];
      this.total = 0;
      return;
    }
    const corpusId = this.corpusId;
    const result = await engine.client.call('pieces.list', {
      corpusId,
      search: this.search || undefined,
      sort: this.sort,
      descending: this.descending,
      limit: 2000,
    });
    if (corpusId !== this.corpusId) return; // the user moved on meanwhile
    this.pieces = result.pieces;
    this.total = result.total;
  }

  async openPiece(id: number): Promise<void> {
    try {
      this.piece = await engine.client.call('pieces.get', { id });
    } catch (err) {
      this.fail(err);
    }
  }

  async runCheck(): Promise<void> {
    if (this.corpusId === null) return;
    try {
      this.check = await engine.client.call('corpora.check', { id: this.corpusId });
    } catch (err) {
      this.fail(err);
    }
  }

  async create(name: string): Promise<void> {
    const corpus = await engine.client.call('corpora.create', { name });
    await this.refresh();
    await this.selectCorpus(corpus.id);
  }

  async rename(id: number, name: string): Promise<void> {
    await engine.client.call('corpora.rename', { id, name });
    await this.refresh();
  }

  async remove(id: number): Promise<void> {
    await engine.client.call('corpora.delete', { id, confirm: true });
    if (this.corpusId === id) this.corpusId = null;
    await this.refresh();
  }

  async setRule(id: number, rule: TrackRule): Promise<void> {
    await engine.client.call('corpora.setTrackRule', { id, rule });
    this.check = null;
    await this.refresh();
  }

  async moveSelected(toCorpusId: number): Promise<{ moved: number; duplicates: number }> {
    const result = await engine.client.call('pieces.move', { pieceIds: [...this.selected], toCorpusId });
    this.afterBulk();
    await this.refresh();
    return result;
  }

  async deleteSelected(): Promise<number> {
    const { deleted } = await engine.client.call('pieces.delete', { pieceIds: [...this.selected], confirm: true });
    this.afterBulk();
    await this.refresh();
    return deleted;
  }

  private afterBulk(): void {
    if (this.piece && this.selected.has(this.piece.id)) this.piece = null;
    this.selected.clear();
  }

  /** Desktop: paths from the native dialog, imported in place by the engine. */
  async importPaths(corpus: string, paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    this.skippedOnImport = [];
    const importId = crypto.randomUUID();
    this.undoneImport = null;
    this.error = null;
    this.importing = { importId, corpus, total: paths.length, done: 0, imported: 0, failed: 0, cancelling: false };
    const off = engine.client.on('corpora.importProgress', (p) => {
      if (p.importId === importId && this.importing) Object.assign(this.importing, { total: p.total, done: p.done, imported: p.imported, failed: p.failed });
    });
    try {
      this.lastImport = await engine.client.call('corpora.import', { corpus, paths, importId });
      await this.afterImport(corpus);
    } catch (err) {
      this.fail(err);
    } finally {
      off();
      this.importing = null;
    }
  }

  /** Browser files (picker or drop), sent as bytes in batches; cancelling stops between batches and files. */
  /**
   * Where an import goes when the musician names no corpus. A folder makes a corpus of its own,
   * named after it, so a folder never merges silently into the corpus that happens to be on
   * screen; loose files go into the corpus on screen (the drop overlay names it first), never into
   * the starter tunes.
   */
  importTarget(typed: string, folder: string | null): string {
    if (typed.trim()) return typed.trim();
    if (folder?.trim()) return folder.trim();
    if (this.corpus && this.corpus.name !== STARTER_CORPUS) return this.corpus.name;
    return 'My music';
  }

  /** What the last import undid, in words, once it has been undone. */
  undoneImport = $state<string | null>(null);

  /** Takes back the last import: its pieces go, and so does its corpus if the import made it. */
  async undoImport(): Promise<void> {
    const last = this.lastImport;
    if (!last) return;
    try {
      const ids = last.pieceIds ?? [];
      if (ids.length > 0) await engine.client.call('pieces.delete', { pieceIds: ids, confirm: true });
      const corpus = (await engine.client.call('corpora.list', {})).find((c) => c.name.toLowerCase() === last.corpus.toLowerCase());
      const removedCorpus = !!(last.createdCorpus && corpus && corpus.pieces === 0);
      if (removedCorpus) await engine.client.call('corpora.delete', { id: corpus.id, confirm: true });
      if (this.piece && ids.includes(this.piece.id)) this.piece = null;
      for (const id of ids) this.selected.delete(id);
      this.lastImport = null;
      this.undoneImport = `Import undone: ${ids.length} piece${ids.length === 1 ? '' : 's'} taken out of “${last.corpus}”${removedCorpus ? ', and the corpus removed' : ''}`;
      await this.refresh();
    } catch (err) {
      this.fail(err);
    }
  }

  async importFiles(corpus: string, files: File[]): Promise<void> {
    if (files.length === 0) return;
    const importId = crypto.randomUUID();
    this.undoneImport = null;
    this.error = null;
    const state: ImportState = { importId, corpus, total: files.length, done: 0, imported: 0, failed: 0, cancelling: false };
    this.importing = state;
    const summary: ImportSummary = { corpus, imported: 0, duplicates: 0, failed: [], notes: 0, seconds: 0, cancelled: false, pieceIds: [], createdCorpus: false };
    let base = 0;
    const off = engine.client.on('corpora.importProgress', (p) => {
      if (p.importId === importId && this.importing) {
        this.importing.done = base + p.done;
        this.importing.imported = summary.imported + p.imported;
        this.importing.failed = summary.failed.length + p.failed;
      }
    });
    try {
      let index = 0;
      while (index < files.length && !state.cancelling) {
        const batch: { name: string; data: string }[] = [];
        let bytes = 0;
        while (index < files.length && (batch.length === 0 || bytes + files[index]!.size <= UPLOAD_BATCH_BYTES)) {
          const file = files[index++]!;
          bytes += file.size;
          batch.push({ name: file.webkitRelativePath || file.name, data: bytesToBase64(new Uint8Array(await file.arrayBuffer())) });
        }
        const result = await engine.client.call('corpora.importFiles', { corpus, files: batch, importId });
        summary.imported += result.imported;
        summary.duplicates += result.duplicates;
        summary.failed.push(...result.failed);
        summary.notes += result.notes;
        summary.seconds += result.seconds;
        summary.pieceIds!.push(...(result.pieceIds ?? []));
        if (base === 0) summary.createdCorpus = result.createdCorpus ?? false;
        base += batch.length;
        if (result.stopped) {
          // The disk filled: the later batches would fail the same way.
          summary.stopped = `${DISK_FULL}: ${summary.imported} piece${summary.imported === 1 ? ' was' : 's were'} imported, the rest were not; free some space and import again`;
          break;
        }
        if (result.cancelled) break;
      }
      summary.cancelled = state.cancelling;
      this.lastImport = summary;
      await this.afterImport(corpus);
    } catch (err) {
      this.fail(err);
    } finally {
      off();
      this.importing = null;
    }
  }

  cancelImport(): void {
    if (!this.importing) return;
    this.importing.cancelling = true;
    void engine.client.call('corpora.cancelImport', { importId: this.importing.importId });
  }

  private async afterImport(corpus: string): Promise<void> {
    await this.refresh();
    const target = this.corpora.find((c) => c.name.toLowerCase() === corpus.toLowerCase());
    if (target) await this.selectCorpus(target.id);
  }
}

export const library = new Library();
