/**
 * ABC notation in, through abcjs: each tune (an `X:` section) becomes MIDI with its meter, key,
 * tempo and repeats (abcjs plays repeats and first/second endings out), which is then read by
 * the same SMF reader as any imported MIDI file.
 */
import abcjs from 'abcjs';
import { MAX_DURATION_SECONDS, MidiParseError, parseMidi, type ParsedMidi } from './smf';

/** The longest bar a meter may give, in whole notes (16/1: longer than any written music's). */
const MAX_BAR_WHOLE_NOTES = 16;
import { TempoMap } from './tempo-map';

export interface AbcTune {
  title: string;
  text: string;
  midi: Uint8Array;
  parsed: ParsedMidi;
}

interface AbcSynth {
  getMidiFile(abc: string, options: { midiOutputType: 'binary' }): Uint8Array[];
}

interface AbcTuneObject {
  getPickupLength(): number;
  getBarLength(): number;
}

/**
 * abcjs starts a pickup (anacrusis) at tick 0, which would put every bar line of the tune off by
 * the pickup. Shifting the music by the rest of the first bar puts the pickup at the end of bar 1,
 * where a score (and a DAW) shows it.
 */
function shiftForPickup(midi: ParsedMidi, wholeNotes: number): ParsedMidi {
  const offset = Math.round(wholeNotes * 4 * midi.ppq);
  if (offset <= 0) return midi;
  const later = <T extends { tick: number }>(events: T[]) => events.map((e) => (e.tick === 0 ? e : { ...e, tick: e.tick + offset }));
  const tempos = later(midi.tempos);
  const map = new TempoMap(midi.ppq, tempos);
  const tracks = midi.tracks.map((t) => {
    const startTick = t.notes.startTick.map((x) => x + offset);
    const endTick = t.notes.endTick.map((x) => x + offset);
    return {
      ...t,
      notes: { ...t.notes, startTick, endTick, startSec: Float64Array.from(startTick, (x) => map.toSeconds(x)), endSec: Float64Array.from(endTick, (x) => map.toSeconds(x)) },
    };
  });
  const durationTicks = midi.durationTicks + offset;
  return {
    ...midi,
    tracks,
    tempos,
    timeSignatures: later(midi.timeSignatures),
    keySignatures: later(midi.keySignatures),
    durationTicks,
    durationSeconds: map.toSeconds(durationTicks),
  };
}

/** Splits a tune book into tunes: each starts at an `X:` line. Text before the first is the book header. */
export function splitTunes(text: string): { header: string; tunes: string[] } {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const starts: number[] = [];
  lines.forEach((line, i) => {
    if (/^X:/.test(line)) starts.push(i);
  });
  if (starts.length === 0) return { header: '', tunes: [] };
  const header = lines.slice(0, starts[0]).join('\n');
  const tunes = starts.map((s, i) => lines.slice(s, starts[i + 1] ?? lines.length).join('\n').trim() + '\n');
  return { header, tunes };
}

/** A tune's music: its lines after the header fields, comments left out. */
function tuneBody(tune: string): string {
  return tune
    .split('\n')
    .filter((line) => !/^[A-Za-z]:/.test(line) && !line.startsWith('%'))
    .join('\n');
}

/** The longest unit note length (L:) a tune may set, in whole notes: L:1/1 is already rare. */
const MAX_UNIT_WHOLE_NOTES = 4;
/** The longest note a tune may hold, in whole notes: sixteen bars of 4/4 held as one. */
const MAX_NOTE_WHOLE_NOTES = 64;

/**
 * Numbers abcjs would turn into allocations without end (a note millions of units long, after a
 * note, a chord or a repeat sign; a unit length of thousands of whole notes): the reason a tune
 * is refused before abcjs reads it, or null. Digits in quoted text, decorations and comments are
 * words, not lengths.
 */
function implausibleNumbers(tune: string, header: string): string | null {
  let longestUnit = 1 / 8;
  for (const m of `${header}\n${tune}`.matchAll(/(?:^L:|\[L:)\s*(\d+)\s*\/\s*(\d+)/gm)) {
    const [num, den] = [Number(m[1]), Number(m[2])];
    if (!(den > 0 && num > 0 && num / den <= MAX_UNIT_WHOLE_NOTES && den <= 1024)) return `a unit note length of ${m[1]}/${m[2]}`;
    longestUnit = Math.max(longestUnit, num / den);
  }
  const music = tuneBody(tune)
    .replace(/%.*$/gm, '')
    .replace(/"[^"\n]*"/g, '')
    .replace(/![^!\n]*!/g, '')
    .replace(/\+[^+\n]*\+/g, '');
  // A length follows a note, a rest or a chord's closing bracket (tune numbers and bar numbers stand alone).
  const huge = /(?:[A-Ga-gzxZ][,']*|\])(\d{4,})/.exec(music);
  if (huge) return `a note ${huge[1]} times its unit length`;
  // Fewer digits can still be pages at a long unit (C999 at L:4/1): the longest note in whole notes, against the longest unit set.
  let longest = 0;
  for (const m of music.matchAll(/(?:[A-Ga-gzx][,']*|\])(\d+)/g)) longest = Math.max(longest, Number(m[1]));
  const wholeNotes = longest * longestUnit;
  return wholeNotes > MAX_NOTE_WHOLE_NOTES ? `a note ${wholeNotes} whole notes long` : null;
}

function titleOf(tune: string, fallback: string): string {
  return /^T:\s*(.+)$/m.exec(tune)?.[1]?.trim() || fallback;
}

export function readAbc(text: string, fallbackTitle: string, onTune?: (done: number) => void): AbcTune[] {
  const { header, tunes } = splitTunes(text);
  if (tunes.length === 0) throw new MidiParseError('not an ABC file (no tune starts with an "X:" line)');
  const synth = (abcjs as unknown as { synth: AbcSynth }).synth;
  return tunes.map((tune, i) => {
    const title = titleOf(tune, tunes.length > 1 ? `${fallbackTitle} ${i + 1}` : fallbackTitle);
    if (!/^K:/m.test(tune)) throw new MidiParseError(`tune "${title}" has no K: (key) line, so it has no body`);
    // A note held for millions of beats (C9999999, [CEG]9999999) or a unit of pages (L:99999/1) makes abcjs allocate without end: refused before it reads them.
    const implausible = implausibleNumbers(tune, header);
    if (implausible) throw new MidiParseError(`tune "${title}" has ${implausible}: not a plausible length`);
    const body = header ? `${header}\n${tune}` : tune;
    let midi: Uint8Array | undefined;
    let pickup = 0;
    try {
      const parsedTune = (abcjs.parseOnly(body)[0] as unknown as AbcTuneObject | undefined) ?? null;
      const barLength = parsedTune?.getBarLength() ?? 1;
      // A bar of nothing, of infinity or of pages (M:0/0, M:1/0, M:99999/1) is no meter: refused, not imported as a day-long piece.
      if (!(barLength > 0 && barLength <= MAX_BAR_WHOLE_NOTES)) {
        throw new MidiParseError(`tune "${title}" has a meter no music has (${/^M:\s*(.*)$/m.exec(body)?.[1]?.trim() ?? 'unreadable'})`);
      }
      const pickupLength = parsedTune?.getPickupLength() ?? 0;
      if (parsedTune && pickupLength > 0) pickup = barLength - pickupLength;
      midi = synth.getMidiFile(body, { midiOutputType: 'binary' })[0];
    } catch (err) {
      if (err instanceof MidiParseError) throw err;
      throw new MidiParseError(`tune "${title}" could not be read: ${(err as Error).message}`);
    }
    if (!midi) throw new MidiParseError(`tune "${title}" produced no music`);
    let read: ParsedMidi;
    try {
      read = parseMidi(midi);
    } catch (err) {
      // The MIDI is abcjs's, not the musician's: say what in the tune made it unreadable.
      const outOfRange = err instanceof MidiParseError && err.damage === 'data-byte';
      throw new MidiParseError(outOfRange ? `tune "${title}" has notes MIDI cannot hold (pitches outside C-1 to G9, or more voices than MIDI has room for)` : `tune "${title}" could not be converted to notes: ${(err as Error).message}`);
    }
    const parsed = shiftForPickup(read, pickup);
    if (parsed.noteCount === 0) throw new MidiParseError(`tune "${title}" has no notes`);
    if (parsed.durationSeconds > MAX_DURATION_SECONDS) throw new MidiParseError(`tune "${title}" would last ${Math.round(parsed.durationSeconds / 3600)} hours: its lengths are not plausible`);
    onTune?.(i + 1);
    return { title, text: tune, midi, parsed };
  });
}
