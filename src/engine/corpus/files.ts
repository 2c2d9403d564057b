import fs from 'node:fs';
import path from 'node:path';

export const IMPORT_EXTENSIONS = ['.mid', '.midi', '.kar', '.abc'] as const;

export function isImportable(file: string): boolean {
  return (IMPORT_EXTENSIONS as readonly string[]).includes(path.extname(file).toLowerCase());
}

/** One collator for every sort: localeCompare with options builds one per comparison, seconds over a folder of thousands. */
const byName = new Intl.Collator('en', { numeric: true }).compare;

export interface FileList {
  files: string[];
  /** Paths that could not be read at all, with the reason. */
  missing: { file: string; reason: string }[];
}

/** Expands files and folders (recursively) into the importable files under them, in a stable order. */
export function collectFiles(paths: readonly string[]): FileList {
  const files: string[] = [];
  const missing: { file: string; reason: string }[] = [];
  const seen = new Set<string>();
  const add = (file: string) => {
    const resolved = path.resolve(file);
    if (!seen.has(resolved)) {
      seen.add(resolved);
      files.push(resolved);
    }
  };
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      missing.push({ file: dir, reason: `folder cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
      return;
    }
    entries.sort((a, b) => byName(a.name, b.name));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && isImportable(entry.name)) add(full);
    }
  };
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      missing.push({ file: p, reason: 'no such file or folder' });
      continue;
    }
    if (stat.isDirectory()) walk(p);
    else if (!stat.isFile()) missing.push({ file: p, reason: 'not a regular file (a device, a pipe or a socket), so it is not read' });
    else if (isImportable(p)) add(p);
    else missing.push({ file: p, reason: `not a MIDI or ABC file (expected ${IMPORT_EXTENSIONS.join(', ')})` });
  }
  return { files, missing };
}

/**
 * The same walk without blocking the engine's event loop (every directory read is a promise): a
 * folder as large as /usr, named over HTTP, must not stop the studio answering meanwhile.
 */
export async function collectFilesAsync(paths: readonly string[]): Promise<FileList> {
  const files: string[] = [];
  const missing: { file: string; reason: string }[] = [];
  const seen = new Set<string>();
  const add = (file: string) => {
    const resolved = path.resolve(file);
    if (!seen.has(resolved)) {
      seen.add(resolved);
      files.push(resolved);
    }
  };
  const walk = async (dir: string): Promise<void> => {
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch (err) {
      missing.push({ file: dir, reason: `folder cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
      return;
    }
    entries.sort((a, b) => byName(a.name, b.name));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && isImportable(entry.name)) add(full);
    }
  };
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(p);
    } catch {
      missing.push({ file: p, reason: 'no such file or folder' });
      continue;
    }
    if (stat.isDirectory()) await walk(p);
    else if (!stat.isFile()) missing.push({ file: p, reason: 'not a regular file (a device, a pipe or a socket), so it is not read' });
    else if (isImportable(p)) add(p);
    else missing.push({ file: p, reason: `not a MIDI or ABC file (expected ${IMPORT_EXTENSIONS.join(', ')})` });
  }
  return { files, missing };
}
