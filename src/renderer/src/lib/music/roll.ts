import type { MeterPoint } from '../../../../shared/library';

export interface Bar {
  number: number;
  tick: number;
  length: number;
  beats: number;
}

/** Bars from the time signatures, each change starting a new bar, up to the end of the piece. */
export function barLines(meters: readonly MeterPoint[], ppq: number, durationTicks: number): Bar[] {
  const changes = meters.length > 0 && meters[0]!.tick === 0 ? [...meters] : [{ tick: 0, numerator: 4, denominator: 4 }, ...meters];
  const bars: Bar[] = [];
  let number = 1;
  for (let c = 0; c < changes.length; c++) {
    const meter = changes[c]!;
    const until = changes[c + 1]?.tick ?? Math.max(durationTicks, meter.tick + 1);
    const length = (meter.numerator * 4 * ppq) / meter.denominator;
    if (length <= 0) continue;
    for (let tick = meter.tick; tick < until; tick += length) {
      bars.push({ number: number++, tick, length, beats: meter.numerator });
      if (bars.length > 100_000) return bars; // a guard against absurd meters
    }
  }
  return bars;
}

/** Indices [from, to) of sorted start ticks that fall in [lo, hi]. */
export function visibleRange(starts: readonly number[], lo: number, hi: number): [number, number] {
  const search = (value: number, inclusive: boolean) => {
    let a = 0;
    let b = starts.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (inclusive ? starts[mid]! <= value : starts[mid]! < value) a = mid + 1;
      else b = mid;
    }
    return a;
  };
  return [search(lo, false), search(hi, true)];
}

const PALETTE = ['#e0a458', '#6cb4e0', '#8ccf7e', '#d98ad9', '#e07a6c', '#6ce0c8', '#c9c46c', '#9a8ce0'];

export function trackColor(position: number, isDrum: boolean): string {
  return isDrum ? '#a9afba' : PALETTE[position % PALETTE.length]!;
}
