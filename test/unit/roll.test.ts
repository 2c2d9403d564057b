import { describe, expect, it } from 'vitest';
import { barLines } from '../../src/shared/music/bars';
import { visibleRange } from '../../src/renderer/src/lib/music/roll';
import { TempoMap } from '../../src/shared/music/tempo-map';

describe('piano roll geometry', () => {
  it('draws bar lines from the meter, including a change of meter', () => {
    const bars = barLines(
      [
        { tick: 0, numerator: 6, denominator: 8 },
        { tick: 2 * 720, numerator: 2, denominator: 4 },
      ],
      240,
      2 * 720 + 3 * 480,
    );
    expect(bars.map((b) => [b.number, b.tick, b.length, b.beats])).toEqual([
      [1, 0, 720, 6],
      [2, 720, 720, 6],
      [3, 1440, 480, 2],
      [4, 1920, 480, 2],
      [5, 2400, 480, 2],
    ]);
    expect(barLines([], 480, 1920 * 2).map((b) => b.tick)).toEqual([0, 1920]); // 4/4 when the file says nothing
  });

  it('finds the notes inside a window by binary search', () => {
    const starts = [0, 10, 10, 20, 30, 40];
    expect(visibleRange(starts, 10, 30)).toEqual([1, 5]);
    expect(visibleRange(starts, 11, 19)).toEqual([3, 3]);
    expect(visibleRange(starts, -5, 100)).toEqual([0, 6]);
  });

  it('maps seconds back to ticks across tempo changes', () => {
    const map = new TempoMap(480, [
      { tick: 0, usPerQuarter: 500_000 },
      { tick: 960, usPerQuarter: 1_000_000 },
    ]);
    for (const tick of [0, 100, 960, 1500, 5000]) expect(map.toTicks(map.toSeconds(tick))).toBeCloseTo(tick, 9);
    expect(map.toTicks(2)).toBeCloseTo(960 + 480, 9);
  });
});
