/**
 * Reading a zip a stranger made without letting it choose how much memory we spend: the central
 * directory is listed first, unknown entries are refused, and an entry is inflated only once its
 * declared size is the size we expect, into a buffer of exactly that size (fflate writes no
 * further into a buffer it is given, so an entry that inflates past its declared size is cut
 * there, and one that falls short is caught).
 */
import { unzipSync } from 'fflate';

export interface ZipEntry {
  name: string;
  /** The inflated size the directory declares. */
  size: number;
  compressed: number;
  compression: number;
}

/** Every entry the central directory lists, inflating nothing. Throws what fflate throws for a file that is not a zip. */
export function listZip(bytes: Uint8Array): ZipEntry[] {
  const entries: ZipEntry[] = [];
  unzipSync(bytes, {
    filter: (f) => {
      entries.push({ name: f.name, size: f.originalSize, compressed: f.size, compression: f.compression });
      return false;
    },
  });
  return entries;
}

/**
 * Inflates one entry whose declared size the caller has already accepted. Returns null when the
 * entry inflates to fewer bytes than declared; more is impossible (the buffer is the declared size).
 */
export function inflateEntry(bytes: Uint8Array, entry: ZipEntry): Uint8Array | null {
  const out = unzipSync(bytes, { filter: (f) => f.name === entry.name && f.originalSize === entry.size })[entry.name];
  if (!out || out.byteLength !== entry.size) return null;
  return out;
}
