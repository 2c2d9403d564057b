import fs from 'node:fs';
import path from 'node:path';
import { EtudeError } from '../../shared/errors';
import type { BackupResult } from '../../shared/library-care';
import { listBackups } from '../../engine/store/backups';
import { restoreLibrary, newestCleanBackup } from '../../engine/store/restore';
import { damagedLibraryError, isCorruption } from '../../engine/store/health';
import { Store } from '../../engine/store/store';
import { damageWords } from '../../engine/library/service';
import { rescueLibrary, type RescueReport } from '../../engine/library/rescue';
import { rebuildLibrary } from '../../engine/library/rebuild';
import { Engine } from '../../engine/engine';
import { UsageError, type Command } from '../command';
import { withEngine } from '../engine-call';
import { table } from '../format';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** "today 14:02", "yesterday 09:10", else the date: what a musician reads at a glance. */
export function whenWords(iso: string, now = new Date()): string {
  const at = new Date(iso);
  const hm = at.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  const day = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((day(now) - day(at)) / 86_400_000);
  if (days === 0) return `today ${hm}`;
  if (days === 1) return `yesterday ${hm}`;
  return `${at.toISOString().slice(0, 10)} ${hm}`;
}

export const backupCommand: Command = {
  name: 'backup',
  summary: 'back up the library now (into the backups folder beside it, or to a file)',
  usage: 'etude backup [--to FILE] [--json] [--db PATH]',
  options: { to: { type: 'string' } },
  async run(ctx) {
    const to = ctx.values.to as string | undefined;
    if (to !== undefined && !to.trim()) throw new UsageError('--to takes a file name');
    if (!fs.existsSync(ctx.dbPath)) throw new EtudeError('not_found', `there is no library at ${ctx.dbPath}`);
    const outcome = await withEngine(ctx.dbPath, (_call, engine) => engine.library.backup('manual', to));
    if (!outcome.made) throw new EtudeError('unavailable', outcome.skipped);
    const result: BackupResult = { made: true, backup: outcome.backup, seconds: outcome.seconds };
    if (!ctx.json) ctx.out(`Backed up to ${outcome.backup.file} (${mb(outcome.backup.bytes)} in ${outcome.seconds.toFixed(2)} s)`);
    return result;
  },
};

export const backupsCommand: Command = {
  name: 'backups',
  summary: 'list the backups of the library, newest first, with dates and sizes',
  usage: 'etude backups [--json] [--db PATH]',
  options: {},
  run(ctx) {
    const backups = listBackups(ctx.dbPath);
    if (!ctx.json) {
      if (backups.length === 0) ctx.out(`No backups yet beside ${ctx.dbPath}: etude backup makes one`);
      else table([['made', 'why', 'size', 'file'], ...backups.map((b) => [whenWords(b.createdAt), b.reason, mb(b.bytes), b.file])]).forEach((l) => ctx.out(l));
    }
    return Promise.resolve({ backups });
  },
};

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'replace the library with a backup (the library as it is now is kept as a backup first)',
  usage: 'etude restore --from FILE|newest [--json] [--db PATH]   (close the studio first)',
  options: { from: { type: 'string' } },
  async run(ctx) {
    let from = ctx.values.from as string | undefined;
    if (!from?.trim()) throw new UsageError('--from FILE is required (etude backups lists them; "newest" takes the newest that checks clean)');
    if (from === 'newest') {
      const clean = newestCleanBackup(ctx.dbPath);
      if (!clean) throw new EtudeError('not_found', `no backup of ${ctx.dbPath} checks clean`);
      from = clean;
    }
    const result = await restoreLibrary(ctx.dbPath, from);
    if (!ctx.json) {
      ctx.out(`Restored ${ctx.dbPath} from ${result.restored}`);
      if (result.keptAs) ctx.out(`The library as it was is kept as ${result.keptAs}`);
    }
    return result;
  },
};

export const checkLibraryCommand: Command = {
  name: 'check-library',
  summary: "check the whole library: SQLite's integrity check, every table, every checksum",
  usage: 'etude check-library [--json] [--db PATH]',
  options: {},
  run(ctx) {
    if (!fs.existsSync(ctx.dbPath)) throw new EtudeError('not_found', `there is no library at ${ctx.dbPath}`);
    let store: Store;
    try {
      store = Store.openReadOnly(ctx.dbPath);
    } catch (err) {
      throw isCorruption(err) ? damagedLibraryError(ctx.dbPath, ['it cannot be opened at all']) : err;
    }
    let check;
    try {
      check = store.checkLibrary();
    } finally {
      store.close();
    }
    const problems = damageWords(check);
    const result = { ok: check.ok, problems, seconds: check.seconds, check };
    if (!ctx.json) {
      if (check.ok) ctx.out(`The library ${ctx.dbPath} checks clean (${check.seconds.toFixed(2)} s).`);
      else problems.forEach((p) => ctx.out(`damaged: ${p}`));
    }
    if (!check.ok) {
      const clean = newestCleanBackup(ctx.dbPath);
      // One line (and one JSON object): what is damaged, then the newest backup to go back to.
      throw damagedLibraryError(ctx.dbPath, [...problems, ...(clean ? [`the newest backup that checks clean is ${clean}`] : [])]);
    }
    return Promise.resolve(result);
  },
};

export const rescueCommand: Command = {
  name: 'rescue',
  summary: 'save every model and piece a damaged library still holds into a folder, and build a new library from them',
  usage: 'etude rescue --to FOLDER [--rebuild NEW.db] [--json] [--db PATH]',
  options: { to: { type: 'string' }, rebuild: { type: 'string' } },
  async run(ctx) {
    const to = ctx.values.to as string | undefined;
    if (!to?.trim()) throw new UsageError('--to FOLDER is required: where the rescued models and pieces go');
    const rebuild = ctx.values.rebuild as string | undefined;
    if (rebuild && fs.existsSync(rebuild)) throw new EtudeError('conflict', `${rebuild} already exists: the new library needs a new file`);
    const report: RescueReport = rescueLibrary(ctx.dbPath, path.resolve(to));
    if (report.models.saved.length === 0 && report.pieces.saved === 0 && report.unreadable.length > 0) {
      throw new EtudeError('invalid_database', `Nothing could be rescued from ${ctx.dbPath} (${report.unreadable.join('; ')}): restore a backup instead (etude backups, then etude restore --from newest)`);
    }
    if (!ctx.json) {
      ctx.out(`Rescued ${report.models.saved.length} model${report.models.saved.length === 1 ? '' : 's'} and ${report.pieces.saved} piece${report.pieces.saved === 1 ? '' : 's'} into ${report.folder}`);
      for (const m of report.models.lost) ctx.out(`  lost model "${m.name}": ${m.reason}`);
      for (const p of report.pieces.lost) ctx.out(`  lost ${p.piece} of ${p.corpus}: ${p.reason}`);
      for (const u of report.unreadable) ctx.out(`  unreadable: ${u}`);
    }
    const rebuilt = rebuild ? await rebuildLibrary(path.resolve(rebuild), report, (dbPath) => Engine.open({ dbPath, starterCorpus: false })) : null;
    if (rebuilt && !ctx.json) ctx.out(`New library ${rebuilt.path}: ${rebuilt.pieces} pieces in ${rebuilt.corpora} corpora, ${rebuilt.models} models`);
    return { ...report, rebuilt };
  },
};

