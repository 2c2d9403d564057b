import type { LibraryStatus } from '../../../../shared/library-care';
import { engine } from './engine.svelte';

/** Backups and health of the library: the status bar's "last backup" and its settings panel. */
class LibraryCareState {
  status = $state<LibraryStatus | null>(null);
  busy = $state<'backup' | 'check' | 'rescue' | null>(null);
  message = $state<string | null>(null);

  constructor() {
    engine.client.on('library.status', (status) => (this.status = status));
    engine.client.onConnection((state) => {
      if (state === 'open') void this.refresh();
    });
  }

  async refresh(): Promise<void> {
    try {
      this.status = await engine.client.call('library.status', {});
    } catch (err) {
      this.message = err instanceof Error ? err.message : String(err);
    }
  }

  async backupNow(): Promise<void> {
    this.busy = 'backup';
    this.message = null;
    try {
      const result = await engine.client.call('library.backup', {});
      this.message = result.made ? `Backed up in ${result.seconds.toFixed(1)} s.` : result.skipped;
      await this.refresh();
    } catch (err) {
      this.message = err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = null;
    }
  }

  async checkNow(): Promise<void> {
    this.busy = 'check';
    this.message = null;
    try {
      const result = await engine.client.call('library.check', {});
      this.message = result.ok ? `The library checks clean (${result.seconds.toFixed(1)} s).` : `Damaged: ${result.problems.join('; ')}`;
      await this.refresh();
    } catch (err) {
      this.message = err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = null;
    }
  }

  /** Asks for `backup` ('newest', or a backup's file name) to be restored when Etude next starts. */
  async restore(backup: string): Promise<void> {
    this.message = null;
    try {
      this.status = await engine.client.call('library.restore', { backup });
      this.message = 'Close Etude and start it again to restore that backup; the library as it is now is kept as a backup first.';
    } catch (err) {
      this.message = err instanceof Error ? err.message : String(err);
    }
  }

  /** Saves what the damaged library still reads into a new folder beside it, and builds a new library from it at the next start. */
  async rescue(): Promise<void> {
    this.busy = 'rescue';
    this.message = null;
    try {
      const r = await engine.client.call('library.rescue', { rebuild: true });
      const lost = r.modelsLost.length + r.piecesLost;
      this.message =
        `Saved ${r.models} model${r.models === 1 ? '' : 's'} and ${r.pieces} piece${r.pieces === 1 ? '' : 's'} into ${r.folder}` +
        (lost > 0 ? ` (${lost} could not be read)` : '') +
        (r.rebuildAtNextStart ? '. Close Etude and start it again: a new library is built from them, and the damaged one is kept beside it.' : '. Nothing could be saved: restore a backup instead.');
    } catch (err) {
      this.message = err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = null;
    }
  }

  async cancelRestore(): Promise<void> {
    try {
      this.status = await engine.client.call('library.cancelRestore', {});
      this.message = 'The restore is cancelled: the library stays as it is.';
    } catch (err) {
      this.message = err instanceof Error ? err.message : String(err);
    }
  }

  async setKeep(keep: number): Promise<void> {
    try {
      this.status = await engine.client.call('library.setBackupsKept', { keep });
    } catch (err) {
      this.message = err instanceof Error ? err.message : String(err);
    }
  }
}

export const libraryCare = new LibraryCareState();
