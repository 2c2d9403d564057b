import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { toErrorData } from '../../shared/errors';
import type { LibraryStatus, RescueResult } from '../../shared/library-care';
import { rescueLibrary } from './rescue';
import { requestRebuild } from './pending-rebuild';
import { listBackups, type BackupOutcome, type BackupReason } from '../store/backups';
import { describeTable } from '../store/health';
import { cancelRestore, pendingRestore, requestRestore } from '../store/pending-restore';
import type { LibraryCheck, Store } from '../store/store';
import { spawnWorker } from '../workers/spawn';
import type { CheckAnswer, CheckRequest } from './check-worker';

const DAY_MS = 24 * 60 * 60 * 1000;
const WEEK_MS = 7 * DAY_MS;
/** How often the studio looks whether a daily backup or a weekly check is due. */
const LOOK_EVERY_MS = 60 * 60 * 1000;

/** The damage a full check found, in sentences. */
export function damageWords(check: LibraryCheck): string[] {
  const words: string[] = [];
  for (const t of check.unreadableTables) words.push(`${describeTable(t)} cannot all be read`);
  for (const c of check.damagedCheckpoints) words.push(`the ${c.parts.join(' and ')} of "${c.model}" (checkpoint ${c.id}, epoch ${c.epoch}) are damaged`);
  for (const t of check.damagedTracks) words.push(`the notes of "${t.title}" in ${t.corpus} (track ${t.position + 1}) are damaged`);
  if (words.length === 0 && check.integrity.length > 0) words.push(`SQLite reports damage: ${check.integrity.slice(0, 3).join('; ')}`);
  return words;
}

/**
 * Looks after the library while the studio runs: checks it when it opens (in a thread of its own,
 * so a large library does not hold up the start), backs it up at most daily and after every
 * completed training run, checks it fully every week, and answers what the status bar shows.
 * Backups run one at a time.
 */
export class LibraryCare {
  private health: LibraryStatus['health'] = { state: 'checking', problems: [], checkedAt: null };
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private readonly workers = new Set<Worker>();
  private closed = false;
  /** Settles when the check at open has answered (tests and the CLI wait on it). */
  opened: Promise<LibraryStatus['health']> = Promise.resolve(this.health);

  constructor(
    private readonly store: Store,
    private readonly nativeBinding: string | undefined,
    private readonly onChange: (status: LibraryStatus) => void,
  ) {}

  /** The check at open, then the daily and weekly rounds. */
  start(): void {
    this.opened = this.quickCheck();
    void this.opened.then(() => this.round());
    this.timer = setInterval(() => void this.round(), LOOK_EVERY_MS);
    this.timer.unref();
  }

  status(): LibraryStatus {
    const backups = listBackups(this.store.path);
    const lastCheck = this.store.getSetting('library.lastFullCheck');
    return {
      path: this.store.path,
      health: this.health,
      lastBackup: backups[0] ?? null,
      backups,
      keep: this.store.backupsKept(),
      lastFullCheck: lastCheck ? (JSON.parse(lastCheck) as LibraryStatus['lastFullCheck']) : null,
      pendingRestore: this.pendingRestore(backups),
    };
  }

  private pendingRestore(backups: LibraryStatus['backups']): LibraryStatus['pendingRestore'] {
    const pending = pendingRestore(this.store.path);
    return pending ? { file: path.basename(pending.from), backup: backups.find((b) => b.file === pending.from) ?? null, askedAt: pending.askedAt } : null;
  }

  /** Asks for a restore when Etude next starts (see store/pending-restore). */
  requestRestore(backup: string): LibraryStatus {
    requestRestore(this.store.path, backup, this.nativeBinding);
    this.changed();
    return this.status();
  }

  /** Saves what the library still reads into `folder` (default: a new folder beside it); a rebuild at the next start if asked. */
  rescue(folder: string | undefined, rebuild: boolean): RescueResult {
    const target = folder ?? path.join(path.dirname(this.store.path), `Etude rescue ${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`);
    const report = rescueLibrary(this.store.path, path.resolve(target), this.nativeBinding ? { nativeBinding: this.nativeBinding } : {});
    const saved = report.models.saved.length > 0 || report.pieces.saved > 0;
    if (rebuild && saved) requestRebuild(this.store.path, report);
    return {
      folder: report.folder,
      models: report.models.saved.length,
      modelsLost: report.models.lost,
      pieces: report.pieces.saved,
      piecesLost: report.pieces.lost.length,
      unreadable: report.unreadable,
      rebuildAtNextStart: rebuild && saved,
    };
  }

  cancelRestore(): LibraryStatus {
    cancelRestore(this.store.path);
    this.changed();
    return this.status();
  }

  /** A backup now; backups wait for each other. */
  backup(reason: BackupReason, to?: string): Promise<BackupOutcome> {
    const next = this.queue.then(() => this.store.backup({ reason, ...(to ? { to } : {}) }));
    this.queue = next.catch(() => undefined);
    return next.then((outcome) => {
      if (!outcome.made) console.warn(`[library] ${outcome.skipped}`);
      this.changed();
      return outcome;
    });
  }

  /** After a training run completes: its checkpoints are hours of work. A failure is a warning, never the run's. */
  afterTraining(): void {
    if (this.closed) return;
    this.backup('training').catch((err: unknown) => console.warn(`[library] the backup after training failed: ${toErrorData(err).message}`));
  }

  /** The full check (integrity_check, every table, every checksum) in its own thread; recorded for the status bar. */
  async fullCheck(): Promise<LibraryCheck | { unreadable: string }> {
    const answer = await this.inWorker('full');
    if (answer.type === 'full') {
      const problems = damageWords(answer.check);
      this.health = { state: answer.check.ok ? 'ok' : 'damaged', problems, checkedAt: answer.check.checkedAt };
      try {
        this.store.setSetting('library.lastFullCheck', JSON.stringify({ at: answer.check.checkedAt, ok: answer.check.ok, problems }));
      } catch {
        // a library too damaged to record the check still reports it
      }
      this.changed();
      return answer.check;
    }
    const message = answer.type === 'unreadable' ? answer.message : 'the check did not answer';
    this.health = { state: 'damaged', problems: [message], checkedAt: new Date().toISOString() };
    this.changed();
    return { unreadable: message };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.workers].map((w) => w.terminate()));
    await this.queue;
  }

  private async quickCheck(): Promise<LibraryStatus['health']> {
    try {
      const answer = await this.inWorker('quick');
      if (answer.type === 'quick') this.health = { state: answer.ok ? 'ok' : 'damaged', problems: answer.ok ? [] : answer.problems, checkedAt: new Date().toISOString() };
      else if (answer.type === 'unreadable') this.health = { state: 'damaged', problems: [answer.message], checkedAt: new Date().toISOString() };
    } catch (err) {
      if (!this.closed) console.warn(`[library] the check at open did not run: ${toErrorData(err).message}`);
    }
    // A damaged structure is worth a full look at once: it names what is damaged in words.
    if (this.health.state === 'damaged' && !this.closed) await this.fullCheck().catch(() => undefined);
    else this.changed();
    return this.health;
  }

  /** A daily backup and a weekly full check, when due, on a library that checked clean. */
  private async round(): Promise<void> {
    if (this.closed || this.health.state !== 'ok') return;
    const newest = listBackups(this.store.path)[0];
    if (!newest || Date.now() - Date.parse(newest.createdAt) >= DAY_MS) {
      await this.backup('daily').catch((err: unknown) => console.warn(`[library] the daily backup failed: ${toErrorData(err).message}`));
    }
    const last = this.status().lastFullCheck;
    if (!this.closed && (!last || Date.now() - Date.parse(last.at) >= WEEK_MS)) await this.fullCheck().catch(() => undefined);
  }

  private changed(): void {
    if (this.closed) return;
    try {
      this.onChange(this.status());
    } catch {
      // a listener's failure is not the library's
    }
  }

  private inWorker(kind: CheckRequest['kind']): Promise<CheckAnswer> {
    return new Promise((resolve, reject) => {
      const request: CheckRequest = { file: this.store.path, kind, ...(this.nativeBinding ? { nativeBinding: this.nativeBinding } : {}) };
      const worker = spawnWorker('library-check', { workerData: request });
      this.workers.add(worker);
      let answered = false;
      worker.once('message', (answer: CheckAnswer) => {
        answered = true;
        resolve(answer);
      });
      worker.once('error', reject);
      worker.once('exit', (code) => {
        this.workers.delete(worker);
        if (!answered) reject(new Error(`the library check stopped (exit code ${code})`));
      });
    });
  }
}
