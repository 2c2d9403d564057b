/** Builds MIDI files byte by byte, so tests can make exactly the (broken) files they need. */

export function vlq(n: number): number[] {
  const out = [n & 0x7f];
  n = Math.floor(n / 128);
  while (n > 0) {
    out.unshift((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  return out;
}

const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

export function header(format: number, tracks: number, division: number): number[] {
  return [...ascii('MThd'), ...u32(6), ...u16(format), ...u16(tracks), ...u16(division)];
}

/** A track chunk from events; `claimedLength` lets a test lie about the chunk's size. */
export function track(events: number[][], claimedLength?: number): number[] {
  const body = events.flat();
  return [...ascii('MTrk'), ...u32(claimedLength ?? body.length), ...body];
}

export const on = (delta: number, ch: number, pitch: number, vel = 100) => [...vlq(delta), 0x90 | ch, pitch, vel];
export const off = (delta: number, ch: number, pitch: number) => [...vlq(delta), 0x80 | ch, pitch, 0];
export const program = (delta: number, ch: number, prog: number) => [...vlq(delta), 0xc0 | ch, prog];
export const tempo = (delta: number, usPerQuarter: number) => [...vlq(delta), 0xff, 0x51, 3, (usPerQuarter >> 16) & 0xff, (usPerQuarter >> 8) & 0xff, usPerQuarter & 0xff];
export const meter = (delta: number, num: number, denPower: number) => [...vlq(delta), 0xff, 0x58, 4, num, denPower, 24, 8];
export const key = (delta: number, sharps: number, minor = false) => [...vlq(delta), 0xff, 0x59, 2, sharps & 0xff, minor ? 1 : 0];
export const name = (delta: number, text: string) => [...vlq(delta), 0xff, 0x03, ...vlq(text.length), ...ascii(text)];
export const end = (delta = 0) => [...vlq(delta), 0xff, 0x2f, 0];

export function file(...parts: number[][]): Uint8Array {
  return Uint8Array.from(parts.flat());
}
