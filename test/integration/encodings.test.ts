import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSources, sourcesFromPaths } from '../../src/engine/corpus/import';
import { velocityOfBin } from '../../src/engine/encode/events';
import { normalOrder, pitchName } from '../../src/engine/encode/pitch-names';
import { encodingOf, parseParams } from '../../src/engine/encode/registry';
import { compareNotes } from '../../src/engine/encode/round-trip';
import type { EncodableNotes, NoteEvent } from '../../src/engine/encode/types';
import { Store } from '../../src/engine/store/store';
import { JIGS, PIANO } from '../helpers/corpora';
import { tempDir } from '../helpers/tmp';

let store: Store;
let jigs: { title: string; piece: EncodableNotes }[];
let piano: { title: string; piece: EncodableNotes }[];

beforeAll(async () => {
  store = Store.open(path.join(tempDir(), 'enc.db'));
  for (const [name, dir] of [
    ['Jigs', JIGS],
    ['Piano', PIANO],
  ] as const) {
    const corpus = store.corpora.create(name);
    const { sources } = sourcesFromPaths([dir]);
    await importSources(store.corpora, corpus.id, sources, []);
  }
  const all = (name: string) => [...store.corpora.iterateEncodable(store.corpora.byName(name)!.id)];
  jigs = all('Jigs');
  piano = all('Piano');
});
afterAll(() => store.close());

function roundTrip(kind: string, piece: EncodableNotes, raw: Record<string, string | number | boolean> = {}) {
  const encoding = encodingOf(kind);
  const params = parseParams(kind, raw);
  const encoded = encoding.encode(piece, params);
  return { encoded, decoded: encoding.decode(encoded, params, piece), params };
}

const key = (n: { pitch: number; startTick: number; endTick: number }) => `${n.pitch}@${n.startTick}-${n.endTick}`;
const sortedKeys = (notes: { pitch: number; startTick: number; endTick: number }[]) => notes.map(key).sort();

describe('round trips on the shared corpora, each against what the encoding says it keeps', () => {
  it('events: pitch, onset and length on the grid, velocity to its bin — every note of every piece', () => {
    for (const { title, piece } of [...jigs, ...piano]) {
      const { decoded } = roundTrip('events', piece);
      const grid = piece.ppq / 4;
      const expected = piece.notes.map((n) => {
        const start = Math.round(n.startTick / grid) * grid;
        const steps = Math.max(1, Math.round((n.endTick - n.startTick) / grid));
        return { pitch: n.pitch, startTick: Math.round(start), endTick: Math.round(start + steps * grid), velocity: velocityOfBin(Math.min(31, Math.floor(((n.velocity - 1) * 32) / 127)), 32) };
      });
      expect(sortedKeys(decoded), title).toEqual(sortedKeys(expected));
      expect(decoded.map((n) => n.velocity).sort(), title).toEqual(expected.map((n) => n.velocity).sort());
    }
  });

  it('events keeps a chord held for bars whole (Hold tokens); version 1 vocabularies still cut it', () => {
    const ppq = 4;
    const note = (pitch: number, start: number, end: number): NoteEvent => ({ pitch, velocity: 80, startTick: start * ppq, endTick: end * ppq, startSec: start / 2, endSec: end / 2, program: 0 });
    // A melody over a D major chord held 20 beats, then one of exactly 16 (two full Hold lengths).
    const notes = [note(50, 0, 20), note(54, 0, 20), note(57, 0, 20), note(74, 0, 1), note(76, 1, 2), note(50, 20, 36)];
    const piece: EncodableNotes = { ppq, notes, durationTicks: 36 * ppq, tempos: [], timeSignatures: [], keySignatures: [] };
    const encoding = encodingOf('events');
    const p = parseParams('events', {});
    const encoded = encoding.encode(piece, p);
    const tokens = encoded.representation === 'tokens' ? encoded.tokens : [];
    // 20 beats at 4 steps a beat = 80 steps = 2 × 32 + 16; 16 beats = 64 steps = 1 × 32 + 32.
    expect(tokens.join(' ')).toContain('Pitch_50 Vel_19 Hold Hold Dur_16');
    expect(tokens.join(' ')).toContain('Pitch_50 Vel_19 Hold Dur_32');
    expect(sortedKeys(encoding.decode(encoded, p, piece))).toEqual(sortedKeys(notes));
    // A vocabulary of version 1 stored no longNotes: its reading cuts at 8 beats, as it was trained.
    const stored = { positionsPerBeat: 4, velocityBins: 32, maxDurationBeats: 8, tempoBins: 32, programs: false };
    const legacy = encoding.legacyParams!(1, stored)!;
    expect(legacy).toMatchObject({ longNotes: 'cut' });
    for (const old of [legacy, stored]) {
      const cut = encoding.encode(piece, old);
      expect(cut.representation === 'tokens' && cut.tokens.includes('Hold')).toBe(false);
      expect(encoding.decode(cut, old, piece).filter((n) => n.pitch === 54).map((n) => n.endTick)).toEqual([8 * ppq]);
    }
  });

  it('events with program tokens keeps each note’s instrument', () => {
    const symphony = piano.find((p) => p.title === 'symphony_7_2')!.piece;
    const { decoded } = roundTrip('events', symphony, { programs: true });
    const programsOf = (notes: NoteEvent[]) => new Set(notes.map((n) => n.program));
    expect(programsOf(decoded)).toEqual(programsOf(symphony.notes));
  });

  it('pitch-step-duration: every note, times to float32 precision', () => {
    for (const { title, piece } of [...jigs.slice(0, 50), ...piano]) {
      const { decoded } = roundTrip('pitch-step-duration', piece);
      expect(decoded.length, title).toBe(piece.notes.length);
      const report = compareNotes(piece.notes, decoded, 1);
      expect(report.exact, title).toBe(piece.notes.length);
    }
  });

  it('piano-roll: notes in range on the sixteenth grid (monophonic jigs come back exactly)', () => {
    for (const { title, piece } of jigs) {
      const { decoded } = roundTrip('piano-roll', piece);
      const step = piece.ppq / 4;
      const expected = piece.notes
        .filter((n) => n.pitch >= 24 && n.pitch <= 102)
        .map((n) => {
          const start = Math.round(n.startTick / step);
          return { pitch: n.pitch, startTick: Math.round(start * step), endTick: Math.round(Math.max(start + 1, Math.round(n.endTick / step)) * step) };
        });
      expect(sortedKeys(decoded), title).toEqual(sortedKeys(expected));
    }
  });

  it('frames (seed): each frame holds exactly the pitches sounding in it', () => {
    for (const { title, piece } of [...jigs.slice(0, 40), ...piano.filter((p) => p.title.startsWith('bach'))]) {
      const { encoded, decoded, params } = roundTrip('frames', piece);
      if (encoded.representation !== 'tokens') throw new Error('tokens expected');
      encoded.tokens.forEach((token, f) => {
        const sounding = [...new Set(piece.notes.filter((n) => Math.floor(n.startSec * 5) <= f && f < Math.floor(n.endSec * 5)).map((n) => n.pitch))].sort((a, b) => a - b);
        expect(token, `${title} frame ${f}`).toBe(sounding.length ? sounding.join(',') : 'e');
      });
      // Decoding then encoding again gives the same frames.
      const again = encodingOf('frames').encode({ ...piece, notes: decoded }, params);
      expect(again.representation === 'tokens' && again.tokens, title).toEqual(encoded.tokens);
    }
  });

  it('frames with onsets: every note longer than a frame comes back, struck at its frame', () => {
    for (const { title, piece } of jigs.slice(0, 40)) {
      const { decoded } = roundTrip('frames', piece, { onsets: true });
      const starts = new Set(decoded.map((n) => `${n.pitch}@${Math.round(n.startSec * 5)}`));
      for (const n of piece.notes) expect(starts.has(`${n.pitch}@${Math.floor(n.startSec * 5)}`), `${title}: ${n.pitch} at ${n.startSec}`).toBe(true);
    }
  });

  it('notes-chords (seed, version 1 reading): one token per onset — pitch names for notes, normal-order pitch classes for chords', () => {
    for (const { title, piece } of piano.filter((p) => p.title.startsWith('bach'))) {
      const { encoded, decoded } = roundTrip('notes-chords', piece, { reading: 'onsets' });
      if (encoded.representation !== 'tokens') throw new Error('tokens expected');
      // Independent grouping: notes whose onsets round to the same twelfth of a beat.
      const groups = new Map<number, number[]>();
      for (const n of piece.notes) {
        const at = Math.round(n.startTick / (piece.ppq / 12));
        groups.set(at, [...(groups.get(at) ?? []), n.pitch]);
      }
      const expected = [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, ps]) => (ps.length === 1 ? pitchName(ps[0]!) : normalOrder(ps).join('.')));
      expect(encoded.tokens, title).toEqual(expected);
      // Decoded: a token every half beat, each a quarter note long.
      const onsets = [...new Set(decoded.map((n) => n.startTick))];
      expect(onsets, title).toEqual(expected.map((_, i) => Math.round(i * 0.5 * piece.ppq)));
      expect(decoded.every((n) => n.endTick - n.startTick === piece.ppq)).toBe(true);
    }
    expect(normalOrder([67, 71, 74])).toEqual([7, 11, 2]); // G major triad, as music21 writes it
    expect(normalOrder([60, 64, 67])).toEqual([0, 4, 7]);
    expect(pitchName(70)).toBe('B-4');
  });

  it('notes-chords (octaves and durations): pitches and onsets on the grid come back', () => {
    for (const { title, piece } of jigs.slice(0, 80)) {
      const { decoded } = roundTrip('notes-chords', piece, { variant: 'octaves-durations' });
      const grid = piece.ppq / 4;
      const expected = new Set(piece.notes.map((n) => `${n.pitch}@${Math.round(Math.round(n.startTick / grid) * grid)}`));
      expect(new Set(decoded.map((n) => `${n.pitch}@${n.startTick}`)), title).toEqual(expected);
    }
  });

  it('frame-pitches: on its grid every note comes back (jigs at sixteenths), the frames low to high, the grammar allowing what it wrote', () => {
    const encoding = encodingOf('frame-pitches');
    for (const { title, piece } of jigs.slice(0, 60)) {
      const params = parseParams('frame-pitches', { perBeat: 4 });
      const { encoded, decoded } = roundTrip('frame-pitches', piece, { perBeat: 4 });
      const grid = piece.ppq / 4;
      const onGrid = piece.notes.every((n) => n.startTick % grid === 0 && n.endTick % grid === 0);
      if (onGrid) expect(compareNotes(piece.notes, decoded).error, title).toBe(0);
      const tokens = encoded.representation === 'tokens' ? encoded.tokens : [];
      // Frames cover the piece to its end; each frame's pitches rise.
      expect(tokens.filter((t) => t === '|').length, title).toBe(Math.max(Math.round(piece.durationTicks / grid), ...piece.notes.map((n) => Math.max(Math.round(n.startTick / grid) + 1, Math.round(n.endTick / grid)))));
      const vocab = ['<pad>', '<unk>', '<bos>', '<eos>', ...encoding.alphabet!(params)];
      const ids = new Map(vocab.map((t, i) => [t, i]));
      expect(tokens.every((t) => ids.has(t)), `${title}: the alphabet holds every token`).toBe(true);
      const grammar = encoding.grammar!(vocab, params);
      const mask = new Uint8Array(vocab.length);
      let last = -1;
      for (const t of tokens) {
        grammar.allowed(mask);
        expect(mask[ids.get(t)!], `${title}: ${t} allowed`).toBe(1);
        grammar.advance(ids.get(t)!);
        const pitch = t === '|' ? -1 : Number(t.replace('+', ''));
        if (pitch >= 0) expect(pitch).toBeGreaterThan(last);
        last = pitch;
      }
    }
  });

  it('frame-pitches grammar: after a pitch only higher ones or the frame end; a held pitch only if it sounded before; never padding or marks', () => {
    const encoding = encodingOf('frame-pitches');
    const params = parseParams('frame-pitches', {});
    const vocab = ['<pad>', '<unk>', '<bos>', '<eos>', ...encoding.alphabet!(params)];
    const id = (t: string) => vocab.indexOf(t);
    const grammar = encoding.grammar!(vocab, params);
    const mask = new Uint8Array(vocab.length);
    grammar.allowed(mask);
    expect([0, 1, 2, 3].map((i) => mask[i])).toEqual([0, 0, 0, 0]);
    expect(mask[id('60+')]).toBe(1);
    expect(mask[id('60')]).toBe(0); // nothing sounded before: nothing can be held
    grammar.advance(id('60+'));
    grammar.allowed(mask);
    expect([mask[id('59+')], mask[id('60+')], mask[id('61+')], mask[id('|')]]).toEqual([0, 0, 1, 1]);
    grammar.advance(id('|'));
    grammar.allowed(mask);
    expect([mask[id('60')], mask[id('61')], mask[id('60+')]]).toEqual([1, 0, 1]);
    // Rests and re-struck notes come back: C held two frames, struck again, a rest, E.
    const piece = { ppq: 4, tempos: [], timeSignatures: [], keySignatures: [], durationTicks: 6, notes: [
      { pitch: 60, velocity: 90, startTick: 0, endTick: 2, startSec: 0, endSec: 0.5, program: 0 },
      { pitch: 60, velocity: 90, startTick: 2, endTick: 3, startSec: 0.5, endSec: 0.75, program: 0 },
      { pitch: 64, velocity: 90, startTick: 4, endTick: 5, startSec: 1, endSec: 1.25, program: 0 },
    ] };
    const p4 = parseParams('frame-pitches', { perBeat: 4 });
    const encoded = encoding.encode(piece, p4);
    expect(encoded).toEqual({ representation: 'tokens', tokens: ['60+', '|', '60', '|', '60+', '|', '|', '64+', '|', '|'] });
    expect(sortedKeys(encoding.decode(encoded, p4, { ppq: 4, tempos: [], timeSignatures: [] }))).toEqual(sortedKeys(piece.notes));
  });

  it('transposes tokens and refuses to leave the MIDI range', () => {
    const enc = encodingOf('events');
    const p = parseParams('events', {});
    expect(enc.transpose!('Pitch_60', 3, p)).toBe('Pitch_63');
    expect(enc.transpose!('Pitch_126', 3, p)).toBeNull();
    expect(enc.transpose!('Pos_3', 3, p)).toBe('Pos_3');
    const nc = encodingOf('notes-chords');
    expect(nc.transpose!('4.7.11', 1, parseParams('notes-chords', {}))).toBe('5.8.0');
    expect(nc.transpose!('B-4', 2, parseParams('notes-chords', {}))).toBe('C5');
    expect(encodingOf('frames').transpose!('60+,64', -1, parseParams('frames', {}))).toBe('59+,63');
  });

  it('explains bad parameters by name', () => {
    expect(() => parseParams('frames', { fps: 0 })).toThrow(/fps/);
    expect(() => parseParams('events', { nonsense: 1 })).toThrow(/nonsense|Unrecognized/i);
    expect(() => parseParams('piano-roll', { lowest: 90, highest: 80 })).toThrow(/highest must be above lowest/);
    expect(() => encodingOf('midi-tokens')).toThrow(/unknown encoding "midi-tokens"/);
    expect(parseParams('frames', { onsets: 'false' })).toMatchObject({ onsets: false, fps: 5 });
  });
});
