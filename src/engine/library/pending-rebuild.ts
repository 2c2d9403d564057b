/**
 * A new library built from a rescue, at the next start: the damaged library cannot be replaced
 * while the studio holds it open. The request is a small file beside the library naming the rescue;
 * at the next start the damaged file is moved aside (kept, never deleted) and a new library is
 * built in its place from the rescued models and pieces.
 */
import fs from 'node:fs';
import path from 'node:path';
import { rebuildLibrary, type OpenedEngine, type Rebuilt } from './rebuild';
import type { RescueReport } from './rescue';

type Request = Pick<RescueReport, 'folder' | 'pieces' | 'models'>;

function markerOf(dbPath: string): string {
  return `${dbPath}.rebuild-pending.json`;
}

export function requestRebuild(dbPath: string, report: Request): void {
  const marker = markerOf(dbPath);
  fs.writeFileSync(`${marker}.partial`, JSON.stringify({ folder: report.folder, pieces: report.pieces, models: report.models }));
  fs.renameSync(`${marker}.partial`, marker);
}

export function rebuildPending(dbPath: string): boolean {
  return fs.existsSync(markerOf(dbPath));
}

/** Moves the damaged library aside and builds the new one, if a rebuild was asked for. */
export async function applyPendingRebuild(dbPath: string, open: (dbPath: string) => OpenedEngine): Promise<(Rebuilt & { damagedKeptAs: string }) | null> {
  const marker = markerOf(dbPath);
  let request: Request;
  try {
    request = JSON.parse(fs.readFileSync(marker, 'utf8')) as Request;
  } catch {
    fs.rmSync(marker, { force: true });
    return null;
  }
  fs.rmSync(marker, { force: true });
  if (!fs.existsSync(request.folder)) return null;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const aside = path.join(path.dirname(dbPath), `${path.basename(dbPath, path.extname(dbPath))}-damaged-${stamp}${path.extname(dbPath)}`);
  for (const suffix of ['', '-wal', '-shm']) if (fs.existsSync(dbPath + suffix)) fs.renameSync(dbPath + suffix, aside + suffix);
  const rebuilt = await rebuildLibrary(dbPath, request, open);
  return { ...rebuilt, damagedKeptAs: aside };
}
