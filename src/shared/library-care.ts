/** Backups and checks of the library: what the settings and the status bar show. */
import { z } from 'zod';

export interface BackupInfo {
  file: string;
  /** ISO time the backup was made. */
  createdAt: string;
  bytes: number;
  reason: 'manual' | 'daily' | 'training' | 'migration' | 'restore';
}

export interface LibraryStatus {
  path: string;
  /** The check at open (and the last full check): whether the library reads clean, and what is damaged in words. */
  health: { state: 'checking' | 'ok' | 'damaged'; problems: string[]; checkedAt: string | null };
  lastBackup: BackupInfo | null;
  /** Newest first. */
  backups: BackupInfo[];
  /** How many backups the `backups` folder keeps. */
  keep: number;
  lastFullCheck: { at: string; ok: boolean; problems: string[] } | null;
  /** A restore asked for in the studio, carried out when Etude next starts. */
  pendingRestore: { backup: BackupInfo | null; file: string; askedAt: string } | null;
}

export type BackupResult = { made: true; backup: BackupInfo; seconds: number } | { made: false; skipped: string };

export interface LibraryCheckResult {
  ok: boolean;
  problems: string[];
  seconds: number;
}

export const libraryInputs = {
  /** Backups, health and the last check: the settings panel and the status bar's "last backup". */
  'library.status': z.object({}).strict(),
  /** A backup now, into the `backups` folder. */
  'library.backup': z.object({}).strict(),
  /** The full check: SQLite's integrity_check, every table, every checksum. */
  'library.check': z.object({}).strict(),
  /** How many backups to keep (the oldest go first). */
  'library.setBackupsKept': z.object({ keep: z.number().int().min(1, 'keep at least one backup').max(100) }).strict(),
  /** Restore a backup when Etude next starts (the open library cannot be swapped under the studio): `newest` (the newest that checks clean) or a backup's file name. */
  'library.restore': z.object({ backup: z.string().min(1).max(500) }).strict(),
  /**
   * Save every model and piece the library still reads into a new folder (default: beside the
   * library), and optionally build a new library from them when Etude next starts.
   */
  'library.rescue': z.object({ folder: z.string().min(1).max(4096).optional(), rebuild: z.boolean().default(false) }).strict(),
  /** Forget a restore asked for. */
  'library.cancelRestore': z.object({}).strict(),
};

export interface LibraryResults {
  'library.status': LibraryStatus;
  'library.backup': BackupResult;
  'library.check': LibraryCheckResult;
  'library.setBackupsKept': LibraryStatus;
  'library.restore': LibraryStatus;
  'library.cancelRestore': LibraryStatus;
  'library.rescue': RescueResult;
}

export interface RescueResult {
  folder: string;
  models: number;
  modelsLost: { name: string; reason: string }[];
  pieces: number;
  piecesLost: number;
  unreadable: string[];
  /** A new library is built from the folder when Etude next starts (the damaged one kept aside). */
  rebuildAtNextStart: boolean;
}
