import { createHash } from 'node:crypto';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { EtudeError } from '../../shared/errors';
import type { ImportFailure, ImportProgress, ImportSummary } from '../../shared/library';
import { readRegularFile } from '../files/read-regular';
import { MidiParseError } from '../midi/smf';
import { readFile, type FilePiece } from '../parse/read-file';
import type { CorpusRepo, NewPiece } from '../store/corpora';
import { DISK_FULL, isDiskFull } from '../store/disk';
import { collectFiles, collectFilesAsync, type FileList } from './files';

/** Larger files are refused before reading: no real score comes near it, and memory stays bounded. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

export interface ImportSource {
  /** Name shown to the user and stored with the piece. */
  name: string;
  /** Where it came from on disk, when it did. */
  path: string | null;
  read(): Buffer;
}

export interface ImportOptions {
  importId?: string;
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
  /** Progress is reported at least this often (ms), and every `progressEveryFiles` files; always at start and end. */
  progressEveryMs?: number;
  progressEveryFiles?: number;
  /** Reads each file in a process of its own, with time and memory limits (the engine's imports, a FileParser); else in this one. */
  parser?: FileReader;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function reasonOf(err: unknown): string {
  if (err instanceof MidiParseError || err instanceof EtudeError) return err.message;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'file disappeared before it could be read';
  if (code === 'EISDIR') return 'is a folder';
  return `unexpected error: ${(err as Error).message ?? String(err)}`;
}

/** What reads a file into pieces: the reader process (a FileParser), or anything that reads as it does. */
export interface FileReader {
  read(name: string, bytes: Uint8Array): Promise<FilePiece[]>;
}

/** The pieces one file holds (one for MIDI, one per tune for ABC), read in the reader's process when there is one. */
async function piecesOf(source: ImportSource, bytes: Buffer, parser: FileReader | undefined): Promise<Omit<NewPiece, 'contentHash'>[]> {
  const pieces = parser ? await parser.read(source.name, bytes) : readFile(source.name, bytes);
  return pieces.map((p) => ({ ...p, sourceName: source.name, sourcePath: source.path }));
}

export function sourcesFromPaths(paths: readonly string[]): { sources: ImportSource[]; failed: ImportFailure[] } {
  return sourcesOf(collectFiles(paths));
}

/** The same, walking folders without blocking the event loop (the engine's imports). */
export async function sourcesFromPathsAsync(paths: readonly string[]): Promise<{ sources: ImportSource[]; failed: ImportFailure[] }> {
  return sourcesOf(await collectFilesAsync(paths));
}

function sourcesOf({ files, missing }: FileList): { sources: ImportSource[]; failed: ImportFailure[] } {
  return {
    sources: files.map((file) => ({
      name: path.basename(file),
      path: file,
      read: () => readRegularFile(file, MAX_FILE_BYTES),
    })),
    failed: missing,
  };
}

/** Sources from bytes a client sent (the web studio's uploads); the name keeps only its last path part. */
export function sourcesFromUploads(files: readonly { name: string; data: string }[]): ImportSource[] {
  return files.map((f) => {
    const name = path.basename(f.name.replace(/\\/g, '/')) || 'unnamed.mid';
    return {
      name,
      path: null,
      read() {
        const bytes = Buffer.from(f.data, 'base64');
        if (bytes.length > MAX_FILE_BYTES) throw new EtudeError('invalid_input', `file is over the ${MAX_FILE_BYTES / 2 ** 20} MB limit`);
        return bytes;
      },
    };
  });
}

/**
 * Imports sources into a corpus, one file at a time, each file in its own transaction: a file
 * lands whole or not at all, a failure names the file and the reason, and the rest proceeds.
 * Yields to the event loop between files so the engine keeps answering, and stops between files
 * when cancelled (what was imported stays).
 */
export async function importSources(
  repo: CorpusRepo,
  corpusId: number,
  sources: readonly ImportSource[],
  initialFailures: readonly ImportFailure[],
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const started = performance.now();
  const corpus = repo.require(corpusId);
  const failed: ImportFailure[] = [...initialFailures];
  let imported = 0;
  let duplicates = 0;
  let notes = 0;
  let done = 0;
  const pieceIds: number[] = [];
  let lastReport = 0;
  let stopped: string | null = null;
  const everyMs = options.progressEveryMs ?? 100;
  const everyFiles = options.progressEveryFiles ?? 25;
  const report = (current: string | null, force = false) => {
    if (!options.onProgress) return;
    const now = performance.now();
    if (!force && now - lastReport < everyMs && done % everyFiles !== 0) return;
    lastReport = now;
    options.onProgress({ importId: options.importId ?? '', total: sources.length, done, imported, duplicates, failed: failed.length, current });
  };

  report(null, true);
  for (const source of sources) {
    report(source.name);
    if (options.signal?.aborted) break;
    try {
      const bytes = source.read();
      const pieces = (await piecesOf(source, bytes, options.parser)).map((p) => ({ ...p, contentHash: sha256(p.original) }));
      // Counted only once the file's transaction has committed.
      const added = repo.transaction(() => {
        const tally = { imported: 0, duplicates: 0, notes: 0, ids: [] as number[] };
        for (const piece of pieces) {
          if (repo.hasPiece(corpus.id, piece.contentHash)) {
            tally.duplicates++;
            continue;
          }
          tally.ids.push(repo.insertPiece(corpus.id, piece));
          tally.imported++;
          tally.notes += piece.midi.noteCount;
        }
        return tally;
      });
      imported += added.imported;
      duplicates += added.duplicates;
      notes += added.notes;
      pieceIds.push(...added.ids);
    } catch (err) {
      if (isDiskFull(err)) {
        // Every file after this one would fail the same way: stop, and say what did get in.
        stopped = `${DISK_FULL}: ${imported} piece${imported === 1 ? ' was' : 's were'} imported, the other ${sources.length - done} file${sources.length - done === 1 ? ' was' : 's were'} not; free some space and import again`;
        break;
      }
      failed.push({ file: source.path ?? source.name, reason: reasonOf(err) });
    }
    done++;
    await yieldToLoop();
  }
  report(null, true);
  return {
    corpus: corpus.name,
    imported,
    duplicates,
    failed,
    notes,
    seconds: Math.round(performance.now() - started) / 1000,
    cancelled: options.signal?.aborted === true && done < sources.length,
    ...(stopped ? { stopped } : {}),
    pieceIds,
  };
}
