/**
 * Encoding version 2's reading of instruments, kept for the vocabularies and model files built
 * with it (version 3 follows music21's own rules: instruments.ts). It inferred them from the
 * piano-midi.de files and fits those, not a name that music21 merges with a program change.
 *
 * Which notes music21 puts in `instrument.partitionByInstrument(score).parts[0]`, the part seed
 * 000 reads. music21 makes an Instrument of every program change (its General MIDI class;
 * percussion on channel 10) and of every track or instrument name (a recognised instrument
 * named after the text, otherwise a generic one); at one tick a generic instrument that carries
 * no name gives way to another. Partitioning makes one part a distinct instrument name, in the
 * order the instruments first appear, and gives each part what its instruments cover, from one
 * instrument to the next in the same track. So the first instrument's part is seed 000's: empty
 * when another instrument follows it at the same tick (a track named "Piano right" that then
 * sets program 0), and a track with no instrument event is in no part at all.
 */
import { quantizeTicks } from './quantize';

export interface InstrumentEvent {
  tick: number;
  /** What the partition groups by: the instrument's name (null for a generic one). */
  key: string | null;
  /** Generic, and no name to show for it: gives way to another instrument at the same tick. */
  blank: boolean;
}

// Words music21's instrument lookup recognises in a name, in the languages scores use most.
const INSTRUMENT_WORDS = new Set(
  (
    'piano pianoforte pno keyboard keyboards harpsichord cembalo clavichord celesta organ orgel orgue accordion harmonica ' +
    'violin violins vln violino violine violon viola violas vla bratsche alto cello cellos violoncello vc vlc contrabass ' +
    'contrabasses kontrabass bass basses harp harfe arpa guitar guitars gitarre chitarra ukulele banjo mandolin lute ' +
    'flute flutes fl flauto flöte flote piccolo recorder oboe oboes ob hautbois clarinet clarinets cl clarinetto klarinette ' +
    'bassoon bassoons fagott fagotto basson saxophone sax horn horns hn corno trumpet trumpets tpt tromba trompete trombone ' +
    'trombones tbn posaune tuba timpani pauken percussion drums drum xylophone marimba vibraphone glockenspiel bells ' +
    'voice voices vocals soprano mezzo contralto tenor baritone choir chorus strings'
  ).split(' '),
);

/** music21's "lousy" names, which give a generic instrument with no name at all. */
function isLousyName(text: string): boolean {
  const t = text.toLowerCase();
  return t === 'instrument' || t === 'inst' || /^\d+$/.test(t.replace('instrument ', '')) || /^\d+$/.test(t.replace('inst ', ''));
}

/** An instrument from a track or instrument name, as midiEventsToInstrument makes it. */
export function namedInstrument(tick: number, text: string): InstrumentEvent {
  if (text === '' || isLousyName(text)) return { tick, key: null, blank: true };
  const words = text.replace(/\./g, ' ').toLowerCase().split(/[^\p{L}\p{N}]+/u);
  const recognised = words.some((w) => INSTRUMENT_WORDS.has(w));
  // A recognised instrument is named after the whole text; a generic one keeps the text as its part name.
  return { tick, key: recognised ? `name:${text}` : null, blank: false };
}

/** An instrument from a program change. */
export function programInstrument(tick: number, channel: number, program: number): InstrumentEvent {
  return { tick, key: channel === 9 ? 'percussion' : `program:${program}`, blank: false };
}

/** A track's instruments after music21 removes the blank ones that stand beside another. */
export function deduplicate(instruments: readonly InstrumentEvent[]): InstrumentEvent[] {
  return instruments.filter((inst) => !inst.blank || !instruments.some((other) => other !== inst && other.tick === inst.tick && !other.blank));
}

export interface TrackSpan {
  /** Quantised, in music21 units: the part takes the track's elements that start in [from, to). */
  from: number;
  to: number;
}

/**
 * For each track (with notes, in file order), the spans of it that parts[0] holds. When no track
 * has an instrument there is nothing to partition, and parts[0] is the first track, whole.
 */
export function firstPartSpans(tracks: readonly (readonly InstrumentEvent[])[], ppq: number): TrackSpan[][] {
  const first = tracks.flat()[0];
  if (!first) return tracks.map((_, i) => (i === 0 ? [{ from: 0, to: Infinity }] : []));
  return tracks.map((instruments) => {
    const spans: TrackSpan[] = [];
    instruments.forEach((inst, i) => {
      if (inst.key !== first.key) return;
      const from = quantizeTicks(inst.tick, ppq);
      const next = instruments[i + 1];
      const to = next ? quantizeTicks(next.tick, ppq) : Infinity;
      if (to > from) spans.push({ from, to });
    });
    return spans;
  });
}
