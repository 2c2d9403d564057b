/**
 * ABC notation in, through abcjs: each tune (an `X:` section) becomes MIDI with its meter, key,
 * tempo and repeats (abcjs plays repeats and first/second endings out), which is then read by
 * the same SMF reader as any imported MIDI file.
 */
import abcjs from 'abcjs';
import { MidiParseError, parseMidi, type ParsedMidi } from './smf';

export interface AbcTune {
  title: string;
  text: string;
  midi: Uint8Array;
  parsed: ParsedMidi;
}

interface AbcSynth {
  getMidiFile(abc: string, options: { midiOutputType: 'binary' }): Uint8Array[];
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

function titleOf(tune: string, fallback: string): string {
  return /^T:\s*(.+)$/m.exec(tune)?.[1]?.trim() || fallback;
}

export function readAbc(text: string, fallbackTitle: string): AbcTune[] {
  const { header, tunes } = splitTunes(text);
  if (tunes.length === 0) throw new MidiParseError('not an ABC file (no tune starts with an "X:" line)');
  const synth = (abcjs as unknown as { synth: AbcSynth }).synth;
  return tunes.map((tune, i) => {
    const title = titleOf(tune, tunes.length > 1 ? `${fallbackTitle} ${i + 1}` : fallbackTitle);
    if (!/^K:/m.test(tune)) throw new MidiParseError(`tune "${title}" has no K: (key) line, so it has no body`);
    let midi: Uint8Array | undefined;
    try {
      midi = synth.getMidiFile(header ? `${header}\n${tune}` : tune, { midiOutputType: 'binary' })[0];
    } catch (err) {
      throw new MidiParseError(`tune "${title}" could not be read: ${(err as Error).message}`);
    }
    if (!midi) throw new MidiParseError(`tune "${title}" produced no music`);
    const parsed = parseMidi(midi);
    if (parsed.noteCount === 0) throw new MidiParseError(`tune "${title}" has no notes`);
    return { title, text: tune, midi, parsed };
  });
}
