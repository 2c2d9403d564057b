import { z } from 'zod';
import { normalOrder, parsePitchName, pitchName } from './pitch-names';
import { seedReadingOfMidi, seedReadingOfNotes } from './music21/read';
import { groupByOnset, sortNotes, withSeconds } from './timeline';
import type { Encoding, NoteEvent } from './types';

const params = z
  .object({
    /** "seed": seed 000 exactly. "octaves-durations": chords keep their octaves, events keep quantised lengths. */
    variant: z.enum(['seed', 'octaves-durations']).default('seed'),
    /**
     * Seed variant: how a MIDI file becomes tokens. "music21" reads it as seed 000's music21 did
     * (version 3: music21's own instrument rules); "music21-v2" is version 2's reading (a track
     * name always an instrument of its own) and "onsets" version 1's (every note that starts
     * together one chord), each kept for the vocabularies built with it.
     */
    reading: z.enum(['music21', 'music21-v2', 'onsets']).default('music21'),
    /** Seed variant: beats between consecutive tokens when decoding (seed 000 used 0.5). */
    offsetBeats: z.coerce.number().positive().max(8).default(0.5),
    /** Octaves-durations variant: the duration grid in beats. */
    gridBeats: z.coerce.number().positive().max(4).default(0.25),
    /** Octaves-durations variant: the longest step one token holds; longer gaps become rests. */
    maxBeats: z.coerce.number().positive().max(16).default(4),
  })
  .strict();

type Params = z.infer<typeof params>;

/** Version 1's reading: onsets closer than a twelfth of a beat sound together. */
const ONSET_GRID_PER_BEAT = 12;
const CHORD_OCTAVE = 4;

function durationLabel(beats: number): string {
  return String(Math.round(beats * 1000) / 1000);
}

/** Seed 000's tokens of a piece: its MIDI file as music21 reads it, or its notes when there is no file. */
function seedTokens(piece: Parameters<Encoding<Params>['encode']>[0], p: Params): { tokens: string[]; notice?: string } {
  // Vocabularies of version 1 have no `reading`: they keep the reading they were built with.
  if (p.reading !== 'music21' && p.reading !== 'music21-v2') {
    const groups = groupByOnset(piece.notes, piece.ppq / ONSET_GRID_PER_BEAT);
    return { tokens: groups.map((g) => (g.notes.length === 1 ? pitchName(g.notes[0]!.pitch) : normalOrder(g.notes.map((n) => n.pitch)).join('.'))) };
  }
  const reading = piece.source?.format === 'midi' ? seedReadingOfMidi(piece.source.bytes, p.reading) : seedReadingOfNotes(piece, p.reading);
  return reading.empty ? { tokens: reading.tokens, notice: reading.empty } : { tokens: reading.tokens };
}

/**
 * Seed 000 (music21): a single pitch as its name ("E4"), a chord as its pitch classes in normal
 * order ("4.7.11"), read from the MIDI file as seed 000's get_notes() read it with music21 (see
 * music21/read.ts: its chords, quantisation, tied pieces and first instrument part). Decoded one
 * token every `offsetBeats`, each a quarter note long, chords in octave 4 — exactly how the seed
 * generated.
 *
 * The octaves-durations variant keeps each chord's pitches with their octaves ("C4.E4.G4") and the
 * time to the next onset on a grid ("C4.E4.G4:1.5"), with rests ("R:2") for silences.
 */
export const notesChords: Encoding<Params> = {
  info: {
    kind: 'notes-chords',
    version: 3,
    title: 'Notes and chords in order',
    musical: 'The order of notes and chords without their rhythm, as seed 000 read MIDI with music21: every step is half a beat when played back.',
    seed: 'seed 000: LSTM note/chord (music21)',
    defaults: params.parse({}),
    choices: { variant: ['seed', 'octaves-durations'], reading: ['music21', 'onsets'] },
    paramLabels: { variant: 'Form', reading: 'How MIDI is read', offsetBeats: 'Beats between steps when played', gridBeats: 'Rhythm grid (beats)', maxBeats: 'Longest step (beats)' },
    paramHelp: {
      variant: '"seed" (pitch names and normal-order chords, fixed spacing) or "octaves-durations"',
      reading: 'seed variant: "music21" (MIDI read as seed 000 read it), "music21-v2" (version 2: a track name always an instrument of its own) or "onsets" (version 1: notes starting together make a chord)',
      offsetBeats: 'seed variant: beats between tokens when decoding (0.5)',
      gridBeats: 'octaves-durations: duration grid in beats (0.25 = sixteenths)',
      maxBeats: 'octaves-durations: longest step a token holds; longer gaps become rests (4)',
    },
    resolution: 'seed: the order of onsets, pitches of single notes, pitch classes of chords; octaves-durations: pitches and onsets on the grid',
    loses: [
      'in its seed form: all rhythm (played back a step every half beat) and note lengths (all a quarter note)',
      'in its seed form: the octaves of chord notes (played in octave 4)',
      'velocity (decoded as 100) and instruments',
      'with octaves and durations: how long a note sounds (it lasts until the next onset)',
    ],
    representation: 'tokens',
  },
  params,

  encode(piece, p) {
    const beat = piece.ppq;
    if (p.variant === 'seed') return { representation: 'tokens', ...seedTokens(piece, p) };
    const grid = beat * p.gridBeats;
    // Notes that land on the same grid position sound together: one event.
    const groups = groupByOnset(piece.notes, grid);
    const maxSteps = Math.max(1, Math.round(p.maxBeats / p.gridBeats));
    const tokens: string[] = [];
    const emitGap = (steps: number, label: (s: number) => string) => {
      // A step longer than maxBeats is held to maxBeats and the rest of it becomes rests.
      const first = Math.min(steps, maxSteps);
      tokens.push(label(first));
      for (let left = steps - first; left > 0; left -= maxSteps) tokens.push(`R:${durationLabel(Math.min(left, maxSteps) * p.gridBeats)}`);
    };
    const firstTick = groups[0] ? Math.round(groups[0].tick / grid) * grid : 0;
    if (firstTick > 0) emitGap(Math.round(firstTick / grid), (s) => `R:${durationLabel(s * p.gridBeats)}`);
    groups.forEach((g, i) => {
      const pitches = [...new Set(g.notes.map((n) => n.pitch))].sort((a, b) => a - b).map(pitchName).join('.');
      const at = Math.round(g.tick / grid);
      const next = groups[i + 1];
      const until = next ? Math.round(next.tick / grid) : Math.max(at + 1, Math.round(Math.max(...g.notes.map((n) => n.endTick)) / grid));
      emitGap(Math.max(1, until - at), (s) => `${pitches}:${durationLabel(s * p.gridBeats)}`);
    });
    return { representation: 'tokens', tokens };
  },

  decode(encoded, p, context) {
    if (encoded.representation !== 'tokens') throw new Error('notes-chords decodes tokens');
    const notes: Omit<NoteEvent, 'startSec' | 'endSec'>[] = [];
    const beat = context.ppq;
    let tick = 0;
    for (const token of encoded.tokens) {
      if (token.startsWith('<')) continue; // special tokens (<unk>, <bos>…) carry no notes
      if (p.variant === 'seed') {
        const start = Math.round(tick);
        const end = start + beat;
        if (/^\d+(\.\d+)*$/.test(token)) {
          for (const pc of token.split('.').map(Number)) notes.push({ pitch: (CHORD_OCTAVE + 1) * 12 + pc, velocity: 100, startTick: start, endTick: end, program: 0 });
        } else {
          const pitch = parsePitchName(token);
          if (pitch !== null) notes.push({ pitch, velocity: 100, startTick: start, endTick: end, program: 0 });
        }
        tick += p.offsetBeats * beat;
        continue;
      }
      const [body, length] = token.split(':');
      const beats = Number(length);
      if (!body || !Number.isFinite(beats) || beats <= 0) continue;
      const start = Math.round(tick);
      const end = Math.round(tick + beats * beat);
      if (body !== 'R') {
        for (const name of body.split('.')) {
          const pitch = parsePitchName(name);
          if (pitch !== null) notes.push({ pitch, velocity: 100, startTick: start, endTick: end, program: 0 });
        }
      }
      tick += beats * beat;
    }
    // A rest that continues a held event extends nothing: each event ends where its own token says.
    return sortNotes(withSeconds(notes, context));
  },

  legacyParams(version, stored) {
    // Version 1 read every onset as one chord, version 2 made every track name an instrument of
    // its own: their vocabularies keep the reading they were built with.
    if (version === 1) return { ...stored, reading: 'onsets' };
    if (version === 2) return { ...stored, reading: stored.reading === 'onsets' ? 'onsets' : 'music21-v2' };
    return null;
  },

  clockAfter(tokens, p, ppq) {
    if (p.variant !== 'seed') return null;
    return tokens.filter((t) => !t.startsWith('<')).length * p.offsetBeats * ppq;
  },

  tokenInfo(token, p) {
    if (token.startsWith('<')) return { pitches: [], rhythm: null };
    if (p.variant === 'seed') {
      if (/^\d+(\.\d+)*$/.test(token)) return { pitches: token.split('.').map((pc) => (CHORD_OCTAVE + 1) * 12 + Number(pc)), rhythm: null };
      const pitch = parsePitchName(token);
      return { pitches: pitch === null ? [] : [pitch], rhythm: null };
    }
    const [body, length] = token.split(':');
    const pitches = body === 'R' ? [] : body!.split('.').map((name) => parsePitchName(name)).filter((m): m is number => m !== null);
    return { pitches, rhythm: length ?? null };
  },

  transpose(token, semitones, p) {
    if (token.startsWith('<')) return token;
    if (p.variant === 'seed') {
      if (/^\d+(\.\d+)*$/.test(token)) return normalOrder(token.split('.').map((pc) => Number(pc) + semitones)).join('.');
      const pitch = parsePitchName(token);
      return pitch === null || pitch + semitones < 0 || pitch + semitones > 127 ? null : pitchName(pitch + semitones);
    }
    const [body, length] = token.split(':');
    if (body === 'R') return token;
    const moved = body!.split('.').map((name) => parsePitchName(name));
    if (moved.some((m) => m === null || m + semitones < 0 || m + semitones > 127)) return null;
    return `${moved.map((m) => pitchName(m! + semitones)).join('.')}:${length}`;
  },
};
