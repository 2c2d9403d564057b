/**
 * Loaded models kept in the generation worker for the next take: generating again with the model
 * (and checkpoint) just used skips rebuilding it. Bounded by the bytes of their weights; the least
 * recently used is evicted, and freed as soon as no job is using it. With a budget of 0 every
 * model is freed when its job ends.
 */
import type { Store } from '../../store/store';
import { loadCheckpointModel } from './load';

type Loaded = ReturnType<typeof loadCheckpointModel>;

interface Entry {
  key: string;
  loaded: Loaded;
  bytes: number;
  /** Jobs using it now: an evicted model is freed only when the last lets go. */
  users: number;
  evicted: boolean;
}

export interface Lease {
  loaded: Loaded;
  /** True when the model was already loaded. */
  hit: boolean;
  release(): void;
}

export class ModelCache {
  /** Most recently used last (a Map keeps insertion order). */
  private readonly entries = new Map<string, Entry>();

  constructor(private budgetBytes: number) {}

  setBudget(bytes: number): void {
    this.budgetBytes = bytes;
    this.evict();
  }

  get size(): number {
    return this.entries.size;
  }

  /** The checkpoint's model, loaded or kept; the caller releases it when its job ends. */
  acquire(store: Store, checkpointId: number): Lease {
    const checkpoint = store.runs.checkpoint(checkpointId);
    // Ids of deleted rows can come back: the checkpoint's run, step and time tell a reused id apart.
    const key = `${store.path}|${checkpoint.id}|${checkpoint.runId}|${checkpoint.step}|${checkpoint.createdAt}`;
    let entry = this.entries.get(key);
    const hit = entry !== undefined;
    if (entry) this.entries.delete(key);
    else {
      const loaded = loadCheckpointModel(store, checkpoint);
      entry = { key, loaded, bytes: loaded.model.params.count() * 4, users: 0, evicted: false };
    }
    entry.users++;
    this.entries.set(key, entry);
    this.evict();
    const held = entry;
    let released = false;
    return {
      loaded: held.loaded,
      hit,
      release: () => {
        if (released) return;
        released = true;
        held.users--;
        if (held.evicted && held.users === 0) held.loaded.model.dispose();
        this.evict();
      },
    };
  }

  /** Frees every model no job is using. */
  clear(): void {
    const budget = this.budgetBytes;
    this.budgetBytes = 0;
    this.evict();
    this.budgetBytes = budget;
  }

  private evict(): void {
    let total = [...this.entries.values()].reduce((n, e) => n + e.bytes, 0);
    for (const entry of [...this.entries.values()]) {
      if (total <= this.budgetBytes) break;
      // In use: it leaves the cache now and is freed by the job that holds it.
      this.entries.delete(entry.key);
      entry.evicted = true;
      total -= entry.bytes;
      if (entry.users === 0) entry.loaded.model.dispose();
    }
  }
}
