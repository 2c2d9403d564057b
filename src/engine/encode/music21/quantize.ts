/**
 * music21's quantisation of MIDI times (Stream.quantize with its default divisors 4 and 3): a
 * time in quarter notes moves to the nearest multiple of a quarter's fourth or third, whichever
 * is nearer, the fourth when both are as near (errors compared to seven decimals, as it rounds
 * them). Exactly half way rounds down. Times here are in UNITS a quarter note, so every
 * quantised time and every bar line of a sane meter is a whole number.
 */
export const UNITS = 48;
const DIVISORS = [4, 3] as const;
/** The unit music21 gives a note whose length quantises to nothing: a quarter's largest divisor. */
const SHORTEST = UNITS / Math.max(...DIVISORS);

function nearestMultiple(quarters: number, divisor: number): { match: number; error: number } {
  const unit = 1 / divisor;
  const low = Math.floor(quarters / unit) * unit;
  const high = low + unit;
  if (quarters === low) return { match: low, error: 0 };
  if (quarters <= low + unit / 2) return { match: low, error: round7(quarters - low) };
  return { match: high, error: round7(high - quarters) };
}

function round7(x: number): number {
  return Math.round(x * 1e7) / 1e7;
}

/** A time in ticks to its quantised place, in UNITS. */
export function quantizeTicks(ticks: number, ppq: number): number {
  const quarters = Math.max(0, ticks) / ppq;
  let best = { match: 0, error: Infinity, unit: Infinity };
  for (const d of DIVISORS) {
    const m = nearestMultiple(quarters, d);
    if (m.error < best.error || (m.error === best.error && 1 / d < best.unit)) best = { ...m, unit: 1 / d };
  }
  return Math.round(best.match * UNITS);
}

/** A sounding length in ticks, quantised; one that comes to nothing becomes the shortest unit (grace notes stay at nothing). */
export function quantizeLength(ticks: number, ppq: number, grace: boolean): number {
  if (grace) return 0;
  const q = quantizeTicks(ticks, ppq);
  return q === 0 ? SHORTEST : q;
}
