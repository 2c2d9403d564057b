/**
 * Where a request over HTTP may have the engine write: only under the musician's export folder
 * (the `export.folder` setting, else their home folder). The desktop app and the CLI name paths
 * through their own dialogs and arguments and are not confined; a page served on 127.0.0.1 is one
 * token away from any local program, so it must not be able to add files beside /etc/passwd.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Store } from '../engine/store/store';

export const EXPORT_FOLDER_SETTING = 'export.folder';

/** The path argument of each method that writes to disk. */
const WRITE_TARGETS: Record<string, (input: Record<string, unknown>) => unknown> = {
  'models.exportToFile': (input) => input.path,
  'generations.exportToFolder': (input) => input.folder,
  'library.rescue': (input) => input.folder,
};

/** The folder itself, or its nearest existing ancestor, with symbolic links resolved. */
function realOf(target: string): string {
  let at = path.resolve(target);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(at), ...rest.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return path.resolve(target);
      rest.push(path.basename(at));
      at = parent;
    }
  }
}

export function exportFolder(store: Store): string {
  return store.getSetting(EXPORT_FOLDER_SETTING) ?? os.homedir();
}

/** Why this call may not write where it asks, or null when it may (or writes nothing). */
export function writeRefusal(method: string, input: unknown, folder: string): string | null {
  const of = WRITE_TARGETS[method];
  if (!of || typeof input !== 'object' || input === null) return null;
  const target = of(input as Record<string, unknown>);
  if (typeof target !== 'string') return null; // the engine's own validation names it
  const root = realOf(folder);
  const real = realOf(target);
  const inside = path.relative(root, real);
  if (inside === '' || (!inside.startsWith('..') && !path.isAbsolute(inside))) return null;
  return `${method} over HTTP writes only inside the export folder (${root}); ${target} is outside it`;
}
