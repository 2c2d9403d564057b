import fs from 'node:fs';
import path from 'node:path';
import { toErrorData } from '../../shared/errors';
import { exportModelFile } from '../model-files/model-file';
import { damagedLibraryError, isCorruption } from '../store/health';
import { Store } from '../store/store';

export interface RescueReport {
  folder: string;
  models: { saved: string[]; lost: { name: string; reason: string }[] };
  pieces: { saved: number; lost: { corpus: string; piece: string; reason: string }[]; corpora: string[] };
  /** Whole parts that could not even be listed. */
  unreadable: string[];
}

/** A name that is safe as a file name on every OS (no reserved characters, no control characters). */
export function rescueFileName(name: string): string {
  const clean = [...name]
    .map((ch) => (ch.charCodeAt(0) < 32 || '<>:"/\\|?*'.includes(ch) ? '_' : ch))
    .join('')
    .replace(/^\.+/, '_')
    .trim()
    .slice(0, 120);
  return clean || 'untitled';
}

function reasonOf(err: unknown): string {
  return isCorruption(err) ? 'its part of the library cannot be read' : toErrorData(err).message;
}

/** The same name again gets " (2)", " (3)"… so no rescued file is written over another. */
function freePath(dir: string, base: string, ext: string): string {
  let candidate = path.join(dir, base + ext);
  for (let n = 2; fs.existsSync(candidate); n++) candidate = path.join(dir, `${base} (${n})${ext}`);
  return candidate;
}

/**
 * Saves everything a damaged library still holds readably into `folder`, reading only (the
 * library is not written to): every model as an `.etude-model` file (its weights checked against
 * their checksum first) under `models/`, and every piece as the file it was imported from (MIDI,
 * or the ABC it was read from) under `pieces/<corpus>/`. What cannot be read is named, with why.
 */
export function rescueLibrary(dbPath: string, folder: string, options: { nativeBinding?: string } = {}): RescueReport {
  if (!fs.existsSync(dbPath)) throw new Error(`there is no library at ${dbPath}`);
  if (fs.existsSync(folder) && fs.readdirSync(folder).length > 0) throw new Error(`${folder} is not empty: choose a new or empty folder for the rescue`);
  let store: Store;
  try {
    store = Store.openReadOnly(dbPath, options);
  } catch (err) {
    throw isCorruption(err) ? damagedLibraryError(dbPath, ['it cannot be opened at all: restore a backup instead']) : err;
  }
  const report: RescueReport = { folder, models: { saved: [], lost: [] }, pieces: { saved: 0, lost: [], corpora: [] }, unreadable: [] };
  try {
    const modelsDir = path.join(folder, 'models');
    fs.mkdirSync(modelsDir, { recursive: true });
    let models: { id: number; name: string }[] = [];
    try {
      models = store.models.names();
    } catch (err) {
      report.unreadable.push(`the list of models (${reasonOf(err)})`);
    }
    for (const m of models) {
      try {
        const file = exportModelFile(store, m.id);
        const target = freePath(modelsDir, rescueFileName(m.name), '.etude-model');
        fs.writeFileSync(target, file.bytes);
        report.models.saved.push(target);
      } catch (err) {
        report.models.lost.push({ name: m.name, reason: reasonOf(err) });
      }
    }
    let corpora: { id: number; name: string }[] = [];
    try {
      corpora = store.corpora.names();
    } catch (err) {
      report.unreadable.push(`the list of corpora (${reasonOf(err)})`);
    }
    for (const c of corpora) {
      const dir = path.join(folder, 'pieces', rescueFileName(c.name));
      fs.mkdirSync(dir, { recursive: true });
      report.pieces.corpora.push(c.name);
      for (const id of store.corpora.rescuablePieceIds(c.id)) {
        try {
          const piece = store.corpora.original(id);
          const ext = piece.format === 'abc' ? '.abc' : '.mid';
          fs.writeFileSync(freePath(dir, rescueFileName(path.basename(piece.name, path.extname(piece.name)) || piece.title), ext), piece.bytes);
          report.pieces.saved++;
        } catch (err) {
          report.pieces.lost.push({ corpus: c.name, piece: `piece ${id}`, reason: reasonOf(err) });
        }
      }
    }
  } finally {
    store.close();
  }
  return report;
}
