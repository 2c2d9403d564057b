import { describe, expect, it } from 'vitest';
import { MidiParseError, parseMidi } from '../../src/engine/midi/smf';
import { TempoMap } from '../../src/engine/midi/tempo-map';
import { packNotes, unpackNotes } from '../../src/engine/store/notes-blob';
import { end, file, header, key, meter, name, off, on, program, tempo, track, vlq } from '../helpers/midi-bytes';

function refused(bytes: Uint8Array): string {
  try {
    parseMidi(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(MidiParseError);
    return (err as Error).message;
  }
  throw new Error('expected the file to be refused');
}

const notesOf = (bytes: Uint8Array) =>
  parseMidi(bytes).tracks.flatMap((t) =>
    Array.from(t.notes.pitch, (p, i) => ({ pitch: p, start: t.notes.startTick[i], end: t.notes.endTick[i], vel: t.notes.velocity[i] })),
  );

describe('SMF reader on hand-made files', () => {
  it('reads notes, tempo changes, meter, key and names exactly', () => {
    // Conductor track: 120 bpm, then 60 bpm from beat 2; 3/4; 2 flats minor.
    const conductor = track([meter(0, 3, 2), key(0, -2, true), tempo(0, 500_000), tempo(960, 1_000_000), end()]);
    const melody = track([name(0, 'Flute'), program(0, 0, 73), on(0, 0, 60, 90), off(480, 0, 60), on(0, 0, 64, 80), off(960, 0, 64), on(480, 0, 67, 70), [0, 67, 0], end(480)]);
    const midi = parseMidi(file(header(1, 2, 480), conductor, melody));
    expect(midi).toMatchObject({ format: 1, ppq: 480, trackChunks: 2, noteCount: 3, durationTicks: 2400 });
    expect(midi.timeSignatures).toEqual([{ tick: 0, numerator: 3, denominator: 4 }]);
    expect(midi.keySignatures).toEqual([{ tick: 0, sharps: -2, mode: 'minor' }]);
    const [t] = midi.tracks;
    expect(t).toMatchObject({ name: 'Flute', channel: 0, program: 73, isDrum: false, chunk: 1 });
    expect(Array.from(t!.notes.pitch)).toEqual([60, 64, 67]);
    expect(Array.from(t!.notes.startTick)).toEqual([0, 480, 1920]);
    expect(Array.from(t!.notes.endTick)).toEqual([480, 1440, 1920]); // running-status note-on with velocity 0 ends 67 at once
    expect(Array.from(t!.notes.velocity)).toEqual([90, 80, 70]);
    // 0-960 ticks at 0.5 s a beat, then 1 s a beat.
    expect(Array.from(t!.notes.startSec)).toEqual([0, 0.5, 1 + 960 / 480]);
    expect(t!.notes.endSec[1]).toBeCloseTo(1 + 480 / 480, 12);
    expect(midi.durationSeconds).toBeCloseTo(1 + 1440 / 480, 12);
  });

  it('splits a format-0 file into tracks by channel and program, and marks drums', () => {
    const bytes = file(
      header(0, 1, 96),
      track([program(0, 0, 0), program(0, 1, 33), on(0, 0, 60), on(0, 1, 40), on(0, 9, 36), off(96, 0, 60), off(0, 1, 40), off(0, 9, 36), end()]),
    );
    const tracks = parseMidi(bytes).tracks.map((t) => ({ channel: t.channel, program: t.program, isDrum: t.isDrum, n: t.notes.pitch.length }));
    expect(tracks).toEqual([
      { channel: 0, program: 0, isDrum: false, n: 1 },
      { channel: 1, program: 33, isDrum: false, n: 1 },
      { channel: 9, program: 0, isDrum: true, n: 1 },
    ]);
  });

  it('ends a note that is never released at the end of its track', () => {
    const midi = parseMidi(file(header(0, 1, 480), track([on(0, 0, 60), on(240, 0, 62), off(240, 0, 62), end(960)])));
    expect(notesOf(file(header(0, 1, 480), track([on(0, 0, 60), on(240, 0, 62), off(240, 0, 62), end(960)])))).toContainEqual({ pitch: 60, start: 0, end: 1440, vel: 100 });
    expect(midi.repairs.unreleasedNotes).toBe(1);
  });

  it('ends a held note where the same key is struck again, and keeps legato repeats whole', () => {
    // 60 struck at 0 and again at 480 without release; then a release written after a same-tick strike.
    const bytes = file(header(0, 1, 480), track([on(0, 0, 60), on(480, 0, 60), on(480, 0, 60), off(0, 0, 60), off(480, 0, 60), end()]));
    expect(notesOf(bytes)).toEqual([
      { pitch: 60, start: 0, end: 480, vel: 100 },
      { pitch: 60, start: 480, end: 960, vel: 100 },
      { pitch: 60, start: 960, end: 1440, vel: 100 },
    ]);
    expect(parseMidi(bytes).repairs.retriggeredNotes).toBe(2);
  });

  it('keeps zero-length notes (drum hits) and ignores a release with nothing held', () => {
    const midi = parseMidi(file(header(0, 1, 480), track([on(0, 9, 36), off(0, 9, 36), off(10, 0, 70), end()])));
    expect(midi.noteCount).toBe(1);
    expect(midi.tracks[0]!.notes.endTick[0]).toBe(0);
    expect(midi.repairs.orphanNoteOffs).toBe(1);
  });

  it('reads a track without End-of-Track and more tracks than declared', () => {
    const midi = parseMidi(file(header(1, 1, 480), track([on(0, 0, 60), off(480, 0, 60)]), track([on(0, 1, 50), off(10, 1, 50), end()])));
    expect(midi.noteCount).toBe(2);
    expect(midi.repairs).toMatchObject({ missingEndOfTrack: 1, extraTracks: 1 });
  });

  it('turns SMPTE division into exact seconds', () => {
    // 25 fps, 40 ticks a frame = 1000 ticks a second.
    const midi = parseMidi(file(header(0, 1, 0xe728), track([on(0, 0, 60), off(1500, 0, 60), end()])));
    expect(midi.tracks[0]!.notes.endSec[0]).toBeCloseTo(1.5, 12);
  });

  it('unwraps RIFF MIDI', () => {
    const smf = file(header(0, 1, 480), track([on(0, 0, 60), off(480, 0, 60), end()]));
    const le = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
    const riff = Uint8Array.from([...'RIFF'].map((c) => c.charCodeAt(0)).concat(le(12 + smf.length), [...'RMIDdata'].map((c) => c.charCodeAt(0)), le(smf.length), [...smf]));
    expect(parseMidi(riff).noteCount).toBe(1);
  });
});

describe('SMF reader refuses broken files with a reason', () => {
  const good = [on(0, 0, 60), off(480, 0, 60), end()];
  it.each([
    ['an empty file', new Uint8Array(0), /^empty file$/],
    ['random bytes', Uint8Array.from([0x13, 0x37, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), /not a MIDI file/],
    ['an HTML page renamed .mid', new TextEncoder().encode('<!DOCTYPE html><html><body>404</body></html>'), /not a MIDI file \(it starts with "<!DO"/],
    ['a truncated header', file(header(0, 1, 480)).subarray(0, 10), /truncated header/],
    ['zero ticks per quarter note', file(header(0, 1, 0), track(good)), /^zero ticks per quarter note$/],
    ['a header claiming more tracks than present', file(header(1, 3, 480), track(good)), /declares 3 tracks but the file holds 1/],
    ['a chunk length larger than the file', file(header(0, 1, 480), track(good, 5000)), /truncated track chunk at byte 14: it claims 5000 bytes/],
    ['a truncated track', file(header(0, 1, 480), track(good)).subarray(0, 27), /truncated track chunk at byte 14/],
    ['an event cut off inside its chunk', file(header(0, 1, 480), track([[0, 0x90, 60]])), /truncated event at byte \d+ in track 1/],
    ['a variable-length number over 4 bytes', file(header(0, 1, 480), track([[0xff, 0xff, 0xff, 0xff, 0x7f, 0x90, 60, 1]])), /longer than 4 bytes/],
    ['a data byte without status', file(header(0, 1, 480), track([[0, 60, 100], end()])), /without a status byte/],
    ['huge delta times', file(header(0, 1, 1), track([...Array(40).fill([...vlq(0x0fffffff), 0xff, 0x01, 0]), on(0, 0, 60), off(1, 0, 60), end()])), /past 2³² ticks in track 1/],
    ['delta times that last days, inside 32 bits', file(header(0, 1, 1), track([...Array(8).fill([...vlq(0x0fffffff), 0xff, 0x01, 0]), on(0, 0, 60), off(1, 0, 60), end()])), /would last \d+ hours/],
    ['thousands of instruments', file(header(1, 3, 96), ...Array.from({ length: 3 }, () => track(Array.from({ length: 2000 }, (_, i) => [...program(0, i % 16, Math.floor(i / 16) % 128), ...on(0, i % 16, 60), ...off(1, i % 16, 60)]).concat([end()])))), /more than 4,096 tracks/],
    ['a flood of meter changes', file(header(0, 1, 96), track(Array.from({ length: 100_001 }, () => meter(1, 3, 2)).concat([on(0, 0, 60), off(1, 0, 60), end()]))), /more than 100,000 tempo, meter and key changes/],
    ['an unknown format', file([...header(0, 1, 480)].map((b, i) => (i === 9 ? 7 : b)), track(good)), /unknown MIDI format 7/],
    ['a header declaring zero tracks', file(header(1, 0, 480)), /zero tracks/],
  ])('%s', (_label, bytes, reason) => {
    expect(refused(bytes)).toMatch(reason);
  });
});

describe('tempo map and packed notes', () => {
  it('integrates tempo changes, the last change at a tick winning', () => {
    const map = new TempoMap(100, [
      { tick: 0, usPerQuarter: 1_000_000 },
      { tick: 100, usPerQuarter: 2_000_000 },
      { tick: 100, usPerQuarter: 500_000 },
    ]);
    expect(map.toSeconds(50)).toBeCloseTo(0.5, 12);
    expect(map.toSeconds(100)).toBeCloseTo(1, 12);
    expect(map.toSeconds(300)).toBeCloseTo(2, 12);
    expect(new TempoMap(480, []).toSeconds(960)).toBe(1); // 120 bpm default
  });

  it('packs and unpacks notes without loss', () => {
    const notes = {
      pitch: Uint8Array.from([60, 127, 0]),
      velocity: Uint8Array.from([1, 64, 127]),
      startTick: Uint32Array.from([0, 5, 4_000_000_000]),
      endTick: Uint32Array.from([10, 5, 4_000_000_001]),
      startSec: Float64Array.from([0, 0.123456789012, 1e5]),
      endSec: Float64Array.from([1.5, 0.123456789012, 1e5 + 1e-9]),
    };
    const packed = packNotes(notes);
    expect(packed.length).toBe(8 + 3 * 26);
    // A misaligned copy, as a BLOB may arrive.
    const shifted = new Uint8Array(packed.length + 1).subarray(1);
    shifted.set(packed);
    expect(unpackNotes(shifted)).toEqual(notes);
    expect(() => unpackNotes(packed.subarray(0, 20))).toThrow(/damaged/);
  });
});
