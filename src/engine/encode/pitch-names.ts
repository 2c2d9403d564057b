/**
 * Pitch names and chord normal order as music21 writes them, so seed 000's tokens ("E4", "B-3",
 * "4.7.11") come out the same. music21 spells MIDI pitches with these defaults.
 */
const STEP_NAMES = ['C', 'C#', 'D', 'E-', 'E', 'F', 'F#', 'G', 'G#', 'A', 'B-', 'B'];

export function pitchName(midi: number): string {
  return `${STEP_NAMES[midi % 12]}${Math.floor(midi / 12) - 1}`;
}

const NAME = /^([A-G])(#|-)?(-?\d+)$/;
const STEP_PC: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };

export function parsePitchName(name: string): number | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const pc = STEP_PC[m[1]!]! + (m[2] === '#' ? 1 : m[2] === '-' ? -1 : 0);
  const midi = (Number(m[3]) + 1) * 12 + pc;
  return midi >= 0 && midi <= 127 ? midi : null;
}

/**
 * Forte's normal order of a set of pitch classes: the rotation with the smallest span, ties broken
 * by the smallest interval from the first pitch class to the second, then to the third, and so on.
 */
export function normalOrder(pitchClasses: Iterable<number>): number[] {
  const pcs = [...new Set([...pitchClasses].map((p) => ((p % 12) + 12) % 12))].sort((a, b) => a - b);
  if (pcs.length <= 1) return pcs;
  const n = pcs.length;
  const rotations = pcs.map((_, r) => [...pcs.slice(r), ...pcs.slice(0, r)]);
  const span = (rot: number[], k: number) => (((rot[k]! - rot[0]!) % 12) + 12) % 12;
  let best = rotations[0]!;
  for (const rot of rotations.slice(1)) {
    if (span(rot, n - 1) < span(best, n - 1)) best = rot;
    else if (span(rot, n - 1) === span(best, n - 1)) {
      for (let k = 1; k < n - 1; k++) {
        if (span(rot, k) !== span(best, k)) {
          if (span(rot, k) < span(best, k)) best = rot;
          break;
        }
      }
    }
  }
  return best;
}
