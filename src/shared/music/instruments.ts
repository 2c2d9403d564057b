/** General MIDI instrument families, by program number (0-based) in blocks of eight. */
export const GM_FAMILIES = [
  'piano',
  'chromatic percussion',
  'organ',
  'guitar',
  'bass',
  'strings',
  'ensemble',
  'brass',
  'reed',
  'pipe',
  'synth lead',
  'synth pad',
  'synth effects',
  'ethnic',
  'percussive',
  'sound effects',
] as const;

export type InstrumentFamily = (typeof GM_FAMILIES)[number] | 'drums';

export const DRUM_CHANNEL = 9;

export function instrumentFamily(program: number, isDrum: boolean): InstrumentFamily {
  if (isDrum) return 'drums';
  return GM_FAMILIES[Math.min(15, Math.max(0, Math.floor(program / 8)))]!;
}
