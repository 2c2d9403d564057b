/** Converts between ticks and seconds; plain TypeScript, used by the engine and the renderer. */
export interface TempoChange {
  tick: number;
  /** Microseconds per quarter note. */
  usPerQuarter: number;
}

export const DEFAULT_US_PER_QUARTER = 500_000; // 120 bpm, the MIDI default

/** Converts ticks to seconds through a piecewise-constant tempo map. */
export class TempoMap {
  private readonly ticks: number[];
  private readonly seconds: number[];
  private readonly secPerTick: number[];

  constructor(
    readonly ppq: number,
    changes: readonly TempoChange[],
  ) {
    const sorted = [...changes].sort((a, b) => a.tick - b.tick);
    if (sorted.length === 0 || sorted[0]!.tick > 0) sorted.unshift({ tick: 0, usPerQuarter: DEFAULT_US_PER_QUARTER });
    this.ticks = [];
    this.seconds = [];
    this.secPerTick = [];
    let elapsed = 0;
    for (let i = 0; i < sorted.length; i++) {
      const c = sorted[i]!;
      if (i > 0) elapsed += (c.tick - this.ticks[this.ticks.length - 1]!) * this.secPerTick[this.secPerTick.length - 1]!;
      // Several changes at one tick: the last one wins.
      if (this.ticks.length > 0 && this.ticks[this.ticks.length - 1] === c.tick) {
        this.secPerTick[this.secPerTick.length - 1] = c.usPerQuarter / 1e6 / ppq;
        continue;
      }
      this.ticks.push(c.tick);
      this.seconds.push(elapsed);
      this.secPerTick.push(c.usPerQuarter / 1e6 / ppq);
    }
  }

  toTicks(seconds: number): number {
    let lo = 0;
    let hi = this.seconds.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.seconds[mid]! <= seconds) lo = mid;
      else hi = mid - 1;
    }
    return this.ticks[lo]! + (seconds - this.seconds[lo]!) / this.secPerTick[lo]!;
  }

  toSeconds(tick: number): number {
    let lo = 0;
    let hi = this.ticks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.ticks[mid]! <= tick) lo = mid;
      else hi = mid - 1;
    }
    return this.seconds[lo]! + (tick - this.ticks[lo]!) * this.secPerTick[lo]!;
  }
}
