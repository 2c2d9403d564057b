import { describe, expect, it } from 'vitest';
import { readAbc, splitTunes } from '../../src/engine/midi/abc';
import { MidiParseError } from '../../src/engine/midi/smf';

describe('ABC reading', () => {
  it('puts a pickup at the end of the first bar, so bar lines fall where the score has them', () => {
    const [tune] = readAbc('X:1\nT:Pickup\nM:6/8\nL:1/8\nQ:3/8=60\nK:G\nA|c2d e>fe|d2B G3|]\n', 'x');
    const n = tune!.parsed.tracks[0]!.notes;
    const bar = 6 * 240; // a 6/8 bar at 480 ticks a quarter
    expect(n.startTick[0]).toBe(bar - 240); // the pickup eighth
    expect(n.startTick[1]).toBe(bar); // the downbeat of bar 2
    expect(n.startSec[1]! - n.startSec[0]!).toBeCloseTo(60 / 60 / 3, 4); // an eighth at dotted quarter = 60
  });

  it('leaves tunes without a pickup where they are', () => {
    const [tune] = readAbc('X:1\nT:Plain\nM:4/4\nL:1/4\nK:C\nC D E F|G A B c|]\n', 'x');
    expect(Array.from(tune!.parsed.tracks[0]!.notes.startTick.slice(0, 2))).toEqual([0, 480]);
  });

  it('splits a tune book and reports tunes that cannot be read', () => {
    expect(splitTunes('% book\nX:1\nT:a\nK:C\nC|\nX:2\nT:b\nK:C\nD|\n').tunes).toHaveLength(2);
    expect(() => readAbc('no tunes here', 'x')).toThrow(MidiParseError);
    expect(() => readAbc('X:1\nT:Rests only\nM:4/4\nK:C\nz4|\n', 'x')).toThrow(/no notes/);
  });

  it('refuses a note pages long at a long unit as a length, not as pitches MIDI cannot hold', () => {
    expect(() => readAbc('X:1\nT:Long\nL:4/1\nK:C\nC999|\n', 'x')).toThrow('tune "Long" has a note 3996 whole notes long: not a plausible length');
    // A long but real note stays: eight bars of 4/4 tied into one at L:1/4.
    expect(readAbc('X:1\nT:Held\nL:1/4\nK:C\nC32|\n', 'x')[0]!.parsed.noteCount).toBe(1);
  });
});
