import type { NoteArrays } from '../../shared/music/notes';

/**
 * Notes of one track packed into one BLOB, column by column:
 * "EN01" | count u32 | startSec f64[n] | endSec f64[n] | startTick u32[n] | endTick u32[n] | pitch u8[n] | velocity u8[n]
 * Little-endian; 26 bytes a note. Columns keep each array contiguous so decoding is a few copies.
 */
const MAGIC = 0x31304e45; // "EN01" read as little-endian u32
const HEADER = 8;

export function packNotes(notes: NoteArrays): Buffer {
  const n = notes.pitch.length;
  const buf = Buffer.alloc(HEADER + n * 26);
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt32LE(n, 4);
  let at = HEADER;
  const put = (array: ArrayBufferView) => {
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    buf.set(bytes, at);
    at += bytes.byteLength;
  };
  put(notes.startSec);
  put(notes.endSec);
  put(notes.startTick);
  put(notes.endTick);
  put(notes.pitch);
  put(notes.velocity);
  return buf;
}

export function unpackNotes(blob: Uint8Array): NoteArrays {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (blob.byteLength < HEADER || view.getUint32(0, true) !== MAGIC) throw new Error('note data is damaged (bad header)');
  const n = view.getUint32(4, true);
  if (blob.byteLength !== HEADER + n * 26) throw new Error('note data is damaged (wrong length)');
  // Copy into a fresh, aligned buffer so typed-array views are valid whatever SQLite handed us.
  const copy = new Uint8Array(blob.byteLength - HEADER);
  copy.set(blob.subarray(HEADER));
  const b = copy.buffer;
  return {
    startSec: new Float64Array(b, 0, n),
    endSec: new Float64Array(b, n * 8, n),
    startTick: new Uint32Array(b, n * 16, n),
    endTick: new Uint32Array(b, n * 20, n),
    pitch: new Uint8Array(b, n * 24, n),
    velocity: new Uint8Array(b, n * 25, n),
  };
}
