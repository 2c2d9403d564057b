const IMPORTABLE = /\.(mid|midi|kar|abc)$/i;

export function importable(files: Iterable<File>): File[] {
  return [...files].filter((f) => IMPORTABLE.test(f.name));
}

export interface DroppedFiles {
  /** The MIDI and ABC files, folders descended into. */
  files: File[];
  /** Names of the other files, which Etude does not read. */
  skipped: string[];
  /** The dropped folder's name, when one folder was dropped: a first import's corpus is named after it. */
  folder: string | null;
}

/** Reads every importable file from a drop, descending into dropped folders; says which files it leaves. */
export async function filesFromDrop(data: DataTransfer): Promise<DroppedFiles> {
  const entries = [...data.items].map((item) => item.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (entries.length === 0) {
    const all = [...data.files];
    return { files: importable(all), skipped: all.filter((f) => !IMPORTABLE.test(f.name)).map((f) => f.name), folder: null };
  }
  const out: File[] = [];
  const skipped: string[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      if (IMPORTABLE.test(file.name)) out.push(file);
      else if (!file.name.startsWith('.')) skipped.push(file.name);
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      // readEntries returns at most ~100 entries a call: read until it returns none.
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child);
      }
    }
  };
  for (const entry of entries) await walk(entry);
  const folders = entries.filter((e) => e.isDirectory);
  return { files: out, skipped, folder: entries.length === 1 && folders.length === 1 ? folders[0]!.name : null };
}

/** The folder a chosen folder's files came from (their relative paths start with it). */
export function folderOf(files: readonly File[]): string | null {
  const first = files[0]?.webkitRelativePath.split('/')[0];
  return first && files.every((f) => f.webkitRelativePath.startsWith(`${first}/`)) ? first : null;
}

/** What a drop that gave nothing to import held, in words. */
export function nothingToImport(skipped: readonly string[]): string {
  const named = skipped.slice(0, 3).join(', ') + (skipped.length > 3 ? ` and ${skipped.length - 3} more` : '');
  return skipped.length === 0
    ? 'Nothing to import there: drop MIDI (.mid) or ABC (.abc) files, or folders of them'
    : `${named} ${skipped.length === 1 ? 'is' : 'are'} not music Etude reads: drop MIDI (.mid) or ABC (.abc) files, or folders of them`;
}
