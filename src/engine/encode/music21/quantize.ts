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
  const mult = Math.floor(quarters / unit);
  const low = unit * mult;
  const high = unit * (mult + 1);
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

/**
 * Stream.quantize's bestMatch for a note's length once it knows the gap to the next element of
 * the track (`gapUnits`, null when none follows): a divisor whose grid the gap does not lie on is
 * charged the part of the gap its match leaves unfilled, and the least charge wins before the
 * least error, then the finer divisor. A note may not come to nothing (grace notes stay at it).
 * Computed in floating point as music21 does, so a gap of a whole quarter is not on the grid of
 * thirds (1 % (1/3) is not 0 in doubles).
 */
export function quantizeLengthBefore(ticks: number, ppq: number, grace: boolean, gapUnits: number | null): number {
  if (grace) return 0;
  const target = Math.max(0, ticks) / ppq;
  const gap = gapUnits === null ? 0 : gapUnits / UNITS;
  let best: { remaining: number; error: number; tick: number; match: number } | null = null;
  for (const d of DIVISORS) {
    const tick = 1 / d;
    let { match, error } = nearestMultiple(target, d);
    if (match === 0) {
      match = tick;
      error = Math.abs(round7(target - match));
    }
    const remaining = gap % tick === 0 ? 0 : Math.max(gap - match, 0);
    const c = { remaining, error, tick, match };
    if (!best || c.remaining < best.remaining || (c.remaining === best.remaining && (c.error < best.error || (c.error === best.error && c.tick < best.tick)))) best = c;
  }
  return Math.round(best!.match * UNITS);
}
