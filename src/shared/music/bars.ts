/**
 * Bars from a piece's meters: the one rule the engine (cutting passages, counting bars) and the
 * screen (bar lines, selections) both use. A meter change starts a new bar where it falls, so a
 * change off a bar line shortens the bar it interrupts, as a sequencer draws it.
 */
import type { MeterPoint } from '../library';

export interface Bar {
  /** 1-based. */
  number: number;
  tick: number;
  /** Ticks to the next bar line (shorter than the meter's when a change interrupts the bar). */
  length: number;
  /** Beats of the bar's meter. */
  beats: number;
}

const DEFAULT_METER = { tick: 0, numerator: 4, denominator: 4 };
/** A guard against absurd meters and lengths: no piece has this many bars. */
const MOST_BARS = 100_000;

/** The meters in force from tick 0: 4/4 until the first one the file gives. */
function meterChanges(meters: readonly MeterPoint[]): MeterPoint[] {
  const sorted = [...meters].sort((a, b) => a.tick - b.tick);
  return sorted.length > 0 && sorted[0]!.tick === 0 ? sorted : [DEFAULT_METER, ...sorted];
}

/** Ticks of one bar of a meter (at least one, whatever the file says). */
function meterLength(m: MeterPoint, ppq: number): number {
  const length = Math.round((m.numerator * 4 * ppq) / m.denominator);
  return Number.isFinite(length) && length >= 1 ? length : 4 * ppq;
}

/** Bars in order from tick 0, without end. */
export function* bars(meters: readonly MeterPoint[], ppq: number): Generator<Bar> {
  const changes = meterChanges(meters);
  let c = 0;
  let tick = 0;
  for (let number = 1; number <= MOST_BARS; number++) {
    while (c + 1 < changes.length && changes[c + 1]!.tick <= tick) c++;
    const meter = changes[c]!;
    const nextChange = changes[c + 1]?.tick ?? Infinity;
    const length = Math.min(meterLength(meter, ppq), nextChange - tick);
    yield { number, tick, length, beats: meter.numerator };
    tick += length;
  }
}

/** The bars that start before `until` (at least one): what a piece of that length shows. */
export function barLines(meters: readonly MeterPoint[], ppq: number, until: number): Bar[] {
  const out: Bar[] = [];
  for (const bar of bars(meters, ppq)) {
    if (bar.tick >= until && out.length > 0) break;
    out.push(bar);
  }
  return out;
}

/** Bar start ticks up to and including the first bar line at or after `until`: bar n spans starts[n-1] … starts[n]. */
export function barStarts(meters: readonly MeterPoint[], ppq: number, until: number): number[] {
  const starts: number[] = [];
  for (const bar of bars(meters, ppq)) {
    starts.push(bar.tick);
    if (bar.tick >= until) break;
  }
  return starts;
}

/** A bar of a meter that changes only at bar lines. */
export interface WholeBar {
  tick: number;
  length: number;
  meter: MeterPoint;
}

/**
 * Bars for an encoding whose decoder only counts bars (events): every bar is whole, so a meter
 * change written in the middle of a bar takes effect at the next bar line and the decoder lands
 * every bar where the encoder put it. Far enough to hold `until`.
 */
export function wholeBars(meters: readonly MeterPoint[], ppq: number, until: number): WholeBar[] {
  const changes = meterChanges(meters);
  const out: WholeBar[] = [];
  let tick = 0;
  let c = 0;
  while (tick <= until && out.length < MOST_BARS) {
    while (c + 1 < changes.length && changes[c + 1]!.tick <= tick) c++;
    const meter = changes[c]!;
    const exact = (meter.numerator * 4 * ppq) / meter.denominator;
    const length = Number.isFinite(exact) && exact > 0 ? exact : 4 * ppq;
    out.push({ tick, length, meter });
    tick += length;
  }
  return out;
}
