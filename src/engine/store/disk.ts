/**
 * A full disk, met calmly: telling its errors apart (SQLite's and the file system's), and how much
 * room the library's disk has left, for the warning before it fills.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DISK_FULL } from '../../shared/errors';

export { DISK_FULL };

/** How a training run ends when the disk fills: its last checkpoint is whole, so it resumes from there. */
export const DISK_FULL_STOP = `stopped at its last checkpoint: ${DISK_FULL}; free some space and resume`;

/** Free space under which the studio warns (a base model's checkpoints and a run's curves fit in it). */
export const LOW_DISK_BYTES = 500 * 2 ** 20;

/** SQLITE_FULL, or the file system's ENOSPC (a WAL or a file that could not grow). */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC';
}

/** Bytes free to this user on the disk holding `file` (its folder), or null where that cannot be read. */
export function freeBytes(file: string): number | null {
  try {
    const stats = fs.statfsSync(path.dirname(path.resolve(file)));
    return stats.bavail * stats.bsize;
  } catch {
    return null;
  }
}

/** The status bar's warning, or null while there is room. */
export function lowDiskWarning(file: string, threshold = LOW_DISK_BYTES): { freeBytes: number | null; warning: string | null } {
  const free = freeBytes(file);
  if (free === null || free >= threshold) return { freeBytes: free, warning: null };
  return { freeBytes: free, warning: `the disk holding your Etude library has ${Math.round(free / 2 ** 20)} MB free: free some space before it fills (training and imports stop when it does)` };
}
