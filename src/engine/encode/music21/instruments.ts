/**
 * Which notes music21 9.9.2 puts in `instrument.partitionByInstrument(score).parts[0]`, the part
 * seed 000 reads, as its source does it (midi/translate.py getMetaEvents and
 * midiEventsToInstrument, instrument.fromString, deduplicate and partitionByInstrument), checked
 * against music21 itself on the probe files in test/fixtures/music21-probes:
 *
 * - Every program change is an instrument of its General MIDI class (percussion on channel 10),
 *   named as that class is ("Piano" for programs 0, 1 and 3). Every track or instrument name is
 *   an instrument too: the class fromString recognises in its words, named after the whole text,
 *   or a generic instrument with no instrument name. A track name also becomes the part name.
 * - deduplicate looks at a track's instruments all together (its offset tree holds the track as
 *   one element, so offsets play no part): when they carry at most one part name and at most one
 *   instrument name, the generic ones go and the rest take those names; when they are all of one
 *   class only the first stays. So "Melody" then program 0 is one Piano, wherever each stands,
 *   while "Piano right" then program 0 stays two instruments ("Piano right" and "Piano").
 * - Partitioning makes a part of each instrument name (generic ones share one), in the order the
 *   tracks hold them, and gives each part what its instruments cover, from one instrument to the
 *   next in the same track; a track with no instrument is in no part.
 */
import { CLASSES, NAME_TO_CLASS, PROGRAM_CLASS } from './instrument-table';
import { quantizeTicks } from './quantize';

const GENERIC = 'Instrument';
const PERCUSSION = 'UnpitchedPercussion';
const PERCUSSION_CHANNEL = 9;

export interface Music21Instrument {
  tick: number;
  /** The music21 class (GENERIC when nothing was recognised). */
  cls: string;
  instrumentName: string | null;
  partName: string | null;
}

/** What a track's name and program events say, in file order. */
export type InstrumentSource = { type: 'program'; tick: number; channel: number; program: number } | { type: 'name'; tick: number; meta: 'track' | 'instrument'; text: string; decodable: boolean };

// Python's string.punctuation, which fromString removes after lower-casing.
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
// Python's str.split() also splits at the information separators.
// eslint-disable-next-line no-control-regex
const WHITESPACE = /[\s\u001c-\u001f]+/u;

/** instrument.fromString: the class recognised in the words of a name, or null. */
export function classFromString(text: string): string | null {
  const words = text.replace(/\./g, ' ').toLowerCase().replace(PUNCTUATION, '').split(WHITESPACE).filter(Boolean);
  let best: string | null = null;
  let bestWords = 0;
  for (let size = 1; size <= words.length; size++) {
    for (let i = 0; i + size <= words.length; i++) {
      const cls = NAME_TO_CLASS[words.slice(i, i + size).join(' ')];
      const info = cls === undefined ? undefined : CLASSES[cls];
      if (!cls || !info) continue;
      // A longer (or as long) name later in the text wins, unless the best is already of its class.
      if (best === null || (info.words >= bestWords && !CLASSES[best]!.ancestors.includes(cls))) {
        best = cls;
        bestWords = info.words;
      }
    }
  }
  return best;
}

/** music21's "lousy" names ("Instrument 3", "inst"), which name nothing. */
function isLousyName(text: string): boolean {
  const t = text.toLowerCase();
  const digits = (s: string) => /^\p{Nd}+$/u.test(s);
  return t === 'instrument' || t === 'inst' || digits(t.replaceAll('instrument ', '')) || digits(t.replaceAll('inst ', ''));
}

/** midiEventsToInstrument, for a name or a program change. */
export function music21Instrument(e: InstrumentSource): Music21Instrument {
  if (e.type === 'program') {
    const cls = e.channel === PERCUSSION_CHANNEL ? PERCUSSION : (PROGRAM_CLASS[e.program] ?? GENERIC);
    return { tick: e.tick, cls, instrumentName: CLASSES[cls]?.name ?? null, partName: null };
  }
  // A name that is not UTF-8 makes a generic instrument and names nothing.
  if (!e.decodable) return { tick: e.tick, cls: GENERIC, instrumentName: null, partName: null };
  const recognised = e.text === '' ? null : classFromString(e.text);
  const inst: Music21Instrument = { tick: e.tick, cls: recognised ?? GENERIC, instrumentName: recognised ? e.text : null, partName: null };
  if (e.text === '' || isLousyName(e.text)) return inst;
  if (e.meta === 'track') inst.partName = e.text;
  else inst.instrumentName = e.text;
  return inst;
}

/** instrument.deduplicate on one track: its instruments taken all together, not offset by offset. */
export function deduplicate(instruments: readonly Music21Instrument[]): Music21Instrument[] {
  if (instruments.length <= 1) return [...instruments];
  const distinct = (names: (string | null)[]) => [...new Set(names.filter((n): n is string => n !== null))];
  const partNames = distinct(instruments.map((i) => i.partName));
  const instrumentNames = distinct(instruments.map((i) => i.instrumentName));
  if (partNames.length > 1 || instrumentNames.length > 1) return [...instruments];
  const named = (i: Music21Instrument): Music21Instrument => ({ ...i, partName: partNames[0] ?? null, instrumentName: instrumentNames[0] ?? null });
  if (new Set(instruments.map((i) => i.cls)).size === 1) return [named(instruments[0]!)];
  return instruments.filter((i) => i.cls !== GENERIC).map(named);
}

/** A track's instruments as partitionByInstrument sees them. */
export function trackInstruments(events: readonly InstrumentSource[]): Music21Instrument[] {
  return deduplicate(events.map(music21Instrument));
}

export interface TrackSpan {
  /** Quantised, in music21 units: the part takes the track's elements that start in [from, to) (at `from` only grace notes, when from = to). */
  from: number;
  to: number;
}

/** Whether a span holds an element that starts at `offset`. */
export function spanHolds(span: TrackSpan, offset: number, grace: boolean): boolean {
  if (span.from === span.to) return grace && offset === span.from;
  return offset >= span.from && offset < span.to;
}

/** partitionByInstrument's part key: the instrument name, generic instruments sharing ''. */
const partKey = (i: Music21Instrument) => i.instrumentName ?? '';

/**
 * For each track (with notes, in file order), the spans of it that parts[0] holds. When no track
 * has an instrument there is nothing to partition, and parts[0] is the first track, whole.
 */
export function firstPartSpans(tracks: readonly (readonly Music21Instrument[])[], ppq: number): TrackSpan[][] {
  const first = tracks.flat()[0];
  if (!first) return tracks.map((_, i) => (i === 0 ? [{ from: 0, to: Infinity }] : []));
  const key = partKey(first);
  return tracks.map((instruments) =>
    instruments.flatMap((inst, i) => {
      if (partKey(inst) !== key) return [];
      const next = instruments[i + 1];
      return [{ from: quantizeTicks(inst.tick, ppq), to: next ? quantizeTicks(next.tick, ppq) : Infinity }];
    }),
  );
}
