/**
 * A short fingerprint of a list of notes (FNV-1a over pitch, start and end), so the screen can
 * say which music a card shows and a test can check it against what the engine stored.
 */
export function notesFingerprint(notes: readonly { pitch: number; startTick: number; endTick: number }[]): string {
  let h = 0x811c9dc5;
  const mix = (x: number) => {
    for (let k = 0; k < 4; k++) {
      h ^= (x >>> (8 * k)) & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  };
  for (const n of notes) {
    mix(n.pitch);
    mix(n.startTick);
    mix(n.endTick);
  }
  return `${notes.length}:${h.toString(16).padStart(8, '0')}`;
}
