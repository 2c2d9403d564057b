import { describe, expect, it } from 'vitest';
import { barLines, barStarts } from '../../src/shared/music/bars';
import { cutPassage } from '../../src/shared/music/passage';
import { notesOf } from '../../src/shared/music/tracks';
import type { NoteArrays } from '../../src/shared/music/notes';

const PPQ = 480;

describe('bars: one rule for the screen and the engine', () => {
  it('starts a new bar where a meter change falls, shortening the bar it interrupts', () => {
    // 4/4, then 3/4 from beat 3 of bar 1 (tick 960): bar 1 holds two beats only.
    const meters = [
      { tick: 0, numerator: 4, denominator: 4 },
      { tick: 960, numerator: 3, denominator: 4 },
    ];
    const bars = barLines(meters, PPQ, 960 + 3 * 1440);
    expect(bars.map((b) => [b.number, b.tick, b.length, b.beats])).toEqual([
      [1, 0, 960, 4],
      [2, 960, 1440, 3],
      [3, 2400, 1440, 3],
      [4, 3840, 1440, 3],
    ]);
    // The engine counts the same bars: bar n spans starts[n-1] … starts[n].
    const starts = barStarts(meters, PPQ, 960 + 3 * 1440);
    expect(starts).toEqual([...bars.map((b) => b.tick), 5280]);
    // What the musician shades as bar 2 is what the engine cuts as bar 2.
    const piece = { ppq: PPQ, tempos: [], timeSignatures: meters, keySignatures: [], notes: [{ pitch: 60, velocity: 90, startTick: 960, endTick: 1200, startSec: 1, endSec: 1.25, program: 0 }] };
    const cut = cutPassage(piece, starts[1]!, starts[2]!, 'bar 2');
    expect(cut.endTick).toBe(bars[1]!.length);
    expect(cut.notes.map((n) => n.startTick)).toEqual([0]);
    expect(cut.timeSignatures).toEqual([{ tick: 0, numerator: 3, denominator: 4 }]);
  });

  it('reads 4/4 when the file says nothing, and survives a meter of zero', () => {
    expect(barLines([], PPQ, 1920 * 2).map((b) => b.tick)).toEqual([0, 1920]);
    const broken = barLines([{ tick: 0, numerator: 0, denominator: 0 }], PPQ, 1920 * 3);
    expect(broken.map((b) => b.length)).toEqual([1920, 1920, 1920]);
    expect(barStarts([{ tick: 0, numerator: 1, denominator: 0 }], PPQ, 4000).length).toBeLessThan(10);
  });
});

function track(position: number, program: number, isDrum: boolean, pitches: number[]) {
  const n = pitches.length;
  const notes: NoteArrays = {
    pitch: Uint8Array.from(pitches),
    velocity: new Uint8Array(n).fill(80),
    startTick: Uint32Array.from(pitches.map((_, i) => i * 240)),
    endTick: Uint32Array.from(pitches.map((_, i) => i * 240 + 200)),
    startSec: Float64Array.from(pitches.map((_, i) => i * 0.25)),
    endSec: Float64Array.from(pitches.map((_, i) => i * 0.25 + 0.2)),
  };
  return { position, program, family: isDrum ? 'drums' : program < 8 ? 'piano' : 'strings', isDrum, noteCount: n, notes };
}

describe('notesOf: the notes a track rule selects', () => {
  const tracks = [track(0, 10, true, [36, 38]), track(1, 40, false, [67, 69]), track(2, 0, false, [48, 60])];

  it('merges the chosen tracks sorted by start then pitch, never drums, reading only what it takes', () => {
    const read: number[] = [];
    const notes = notesOf(tracks, { kind: 'non-drum' }, (t) => (read.push(t.position), t.notes));
    expect(notes.map((n) => [n.startTick, n.pitch, n.program])).toEqual([
      [0, 48, 0],
      [0, 67, 40],
      [240, 60, 0],
      [240, 69, 40],
    ]);
    expect(read.sort()).toEqual([1, 2]);
    expect(notesOf(tracks, { kind: 'first-instrument' }, (t) => t.notes).map((n) => n.pitch)).toEqual([67, 69]);
  });

  it('falls back to another rule only when the first selects nothing', () => {
    expect(notesOf(tracks, { kind: 'programs', programs: [99] }, (t) => t.notes)).toEqual([]);
    expect(notesOf(tracks, { kind: 'programs', programs: [99] }, (t) => t.notes, { kind: 'piano' }).map((n) => n.pitch)).toEqual([48, 60]);
  });
});
