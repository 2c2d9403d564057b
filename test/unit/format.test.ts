import { describe, expect, it } from 'vitest';
import { formatWhen, parsePitch, pitchName } from '../../src/renderer/src/lib/format';

describe('formatWhen (stored UTC times shown in local time)', () => {
  const now = new Date(2026, 11, 1, 18, 0);
  it('says today with the time for a time earlier the same day', () => {
    expect(formatWhen(new Date(2026, 11, 1, 9, 5).toISOString(), true, now)).toBe('today 09:05');
  });
  it('gives the day and month for another day this year, without the time when asked', () => {
    expect(formatWhen(new Date(2026, 10, 28, 23, 59).toISOString(), true, now)).toBe('28 Nov 23:59');
    expect(formatWhen(new Date(2026, 10, 28, 23, 59).toISOString(), false, now)).toBe('28 Nov');
  });
  it('gives the year for another year, and leaves an unreadable time as it is', () => {
    expect(formatWhen(new Date(2025, 0, 3, 12).toISOString(), true, now)).toBe('3 Jan 2025');
    expect(formatWhen('not a time', true, now)).toBe('not a time');
  });
});

describe('parsePitch (a note as a musician writes it)', () => {
  it('reads names with sharps and flats in either spelling, any case, and MIDI numbers', () => {
    expect(parsePitch('C4')).toBe(60);
    expect(parsePitch('f#5')).toBe(78);
    expect(parsePitch('F♯5')).toBe(78);
    expect(parsePitch('Bb2')).toBe(46);
    expect(parsePitch('B♭2')).toBe(46);
    expect(parsePitch('C-1')).toBe(0);
    expect(parsePitch(' 60 ')).toBe(60);
    expect(parsePitch(pitchName(61))).toBe(61);
  });
  it('refuses what is not a note, and notes outside MIDI', () => {
    for (const t of ['H5', 'C', '', 'C#', '128', 'G9#', 'A10']) expect(parsePitch(t), t).toBeNull();
    expect(parsePitch('G#9')).toBeNull(); // 128
  });
});
