/**
 * A new library from a rescue's folder (library/rescue): each corpus imported from its folder,
 * each model from its file. The engine is opened through a callback so this module, which the
 * engine itself uses at start, does not import it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { unwrapReply, type Reply } from '../../shared/reply';
import { rescueFileName, type RescueReport } from './rescue';

export interface OpenedEngine {
  call(method: unknown, input: unknown): Promise<Reply<unknown>>;
  close(): Promise<void>;
}

export interface Rebuilt {
  path: string;
  corpora: number;
  pieces: number;
  models: number;
}

export async function rebuildLibrary(dbPath: string, report: Pick<RescueReport, 'folder' | 'pieces' | 'models'>, open: (dbPath: string) => OpenedEngine): Promise<Rebuilt> {
  const engine = open(dbPath);
  try {
    const call = async <T>(method: string, input: unknown) => unwrapReply(await engine.call(method, input)) as T;
    let pieces = 0;
    let corpora = 0;
    for (const name of report.pieces.corpora) {
      const dir = path.join(report.folder, 'pieces', rescueFileName(name));
      if (!fs.existsSync(dir) || fs.readdirSync(dir).length === 0) continue;
      const summary = await call<{ imported: number }>('corpora.import', { corpus: name, paths: [dir] });
      pieces += summary.imported;
      corpora++;
    }
    const existing = new Set((await call<{ name: string }[]>('models.list', {})).map((m) => m.name.toLowerCase()));
    let models = 0;
    for (const file of report.models.saved) {
      // Base models come with the new library already; their rescued files stay in the folder.
      if (existing.has(path.basename(file, '.etude-model').toLowerCase())) continue;
      await call('models.importFile', { path: file, name: path.basename(file, '.etude-model') });
      models++;
    }
    return { path: dbPath, corpora, pieces, models };
  } finally {
    await engine.close();
  }
}
