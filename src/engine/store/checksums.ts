import { createHash } from 'node:crypto';

/**
 * sha256 of stored bytes, hex. SQLite's integrity_check never reads a BLOB's contents, so a damaged
 * page inside a checkpoint's weights or a track's notes is only found by comparing these.
 */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** True when the bytes still match the checksum written with them (a row written before checksums has none: nothing to compare). */
export function matches(bytes: Uint8Array, expected: string | null): boolean {
  return expected === null || sha256(bytes) === expected;
}
