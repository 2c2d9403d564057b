import { z } from 'zod';
import { flag } from './param-types';
import { sortNotes, withSeconds } from './timeline';
import type { Encoding, NoteEvent } from './types';
import { wholeBars as bars } from '../../shared/music/bars';

const params = z
  .object({
    /** Grid positions a beat (quarter note): 4 = sixteenths, 12 = sixteenths and triplets. */
    positionsPerBeat: z.coerce.number().int().min(1).max(24).default(4),
    velocityBins: z.coerce.number().int().min(1).max(128).default(32),
    /** Longest length one `Dur` token holds, in beats; a longer note adds a `Hold` token per such length. */
    maxDurationBeats: z.coerce.number().int().min(1).max(64).default(8),
    /**
     * Notes longer than that: "hold" writes them whole (version 2); "cut" shortens them to it, as
     * version 1 did, kept for its vocabularies and model files (the folk base model among them).
     */
    longNotes: z.enum(['hold', 'cut']).default('hold'),
    /** Tempo bins between 30 and 240 quarter notes a minute (spaced evenly in log tempo). */
    tempoBins: z.coerce.number().int().min(1).max(128).default(32),
    /** Program tokens before notes, for several instruments. */
    programs: flag(false),
  })
  .strict();

type Params = z.infer<typeof params>;

/** Lengthens the note being written by the longest length a `Dur` holds (version 2). */
export const HOLD = 'Hold';

/** Whether long notes are written whole: a vocabulary of version 1 stored no `longNotes`, and cut them. */
function holds(p: Params): boolean {
  return p.longNotes === 'hold';
}

/** A note's length in grid steps as tokens: `Hold` for each full longest length beyond the first, then `Dur_d`. */
function lengthTokens(steps: number, maxSteps: number, p: Params): string[] {
  if (!holds(p)) return [`Dur_${Math.min(maxSteps, steps)}`];
  const extra = Math.floor((steps - 1) / maxSteps);
  return [...Array.from({ length: extra }, () => HOLD), `Dur_${steps - extra * maxSteps}`];
}

const TEMPO_MIN = 30;
const TEMPO_MAX = 240;

function tempoBin(bpm: number, bins: number): number {
  const x = Math.log(Math.min(TEMPO_MAX, Math.max(TEMPO_MIN, bpm)) / TEMPO_MIN) / Math.log(TEMPO_MAX / TEMPO_MIN);
  return Math.min(bins - 1, Math.round(x * (bins - 1)));
}
function tempoOfBin(bin: number, bins: number): number {
  return bins === 1 ? 120 : TEMPO_MIN * (TEMPO_MAX / TEMPO_MIN) ** (bin / (bins - 1));
}
function velocityBin(velocity: number, bins: number): number {
  return Math.min(bins - 1, Math.floor(((velocity - 1) * bins) / 127));
}
/** The velocity a bin decodes to: the middle of the velocities it holds. */
export function velocityOfBin(bin: number, bins: number): number {
  const lo = Math.ceil((bin * 127) / bins) + 1;
  const hi = Math.ceil(((bin + 1) * 127) / bins);
  return Math.max(1, Math.min(127, Math.round((lo + Math.max(lo, hi)) / 2)));
}

/**
 * REMI-like events: `Bar` (with `Meter_n/d` at the start and where the meter changes), `Pos_k` on a
 * grid inside the bar, `Tempo_b` where the tempo changes, optional `Program_p`, then for each note
 * `Pitch_p`, `Vel_v`, `Dur_d` (grid steps), a note longer than the longest `Dur` preceded by one
 * `Hold` for each further such length (a folk accompaniment's chord held for bars). Exact on the
 * grid; the encoding the studio recommends for the Transformer.
 */
export const events: Encoding<Params> = {
  info: {
    kind: 'events',
    version: 2,
    title: 'Notes with rhythm and dynamics',
    musical: "Every note's pitch, where it falls in the bar, how long it lasts and how loud it is, on a beat grid with bars and meter: for melodies and most music.",
    seed: null,
    defaults: params.parse({}),
    choices: { longNotes: ['hold', 'cut'] },
    paramLabels: { positionsPerBeat: 'Grid steps a beat', velocityBins: 'Loudness levels', maxDurationBeats: 'Longest length token (beats)', longNotes: 'Longer notes', tempoBins: 'Tempo levels', programs: 'Tell instruments apart' },
    paramHelp: {
      positionsPerBeat: 'grid positions a beat (4 = sixteenths; 12 adds triplets)',
      velocityBins: 'velocity levels kept (32)',
      maxDurationBeats: 'longest length one token holds, in beats (8)',
      longNotes: '"hold" writes longer notes whole (a Hold token per further length); "cut" shortens them to it',
      tempoBins: 'tempo levels between 30 and 240 bpm (32)',
      programs: 'true adds instrument (program) tokens for several tracks',
    },
    resolution: 'pitch, onset and length on the grid, velocity to its bin, tempo to its bin, bars and meter',
    loses: [
      'timing finer than the grid',
      'with long notes cut: notes longer than the longest length token (8 beats)',
      'small differences of loudness (it keeps 32 levels of 128)',
      'unless instruments are told apart: which instrument played a note',
      'a meter change in the middle of a bar moves to the next bar line',
    ],
    representation: 'tokens',
  },
  params,

  encode(piece, p) {
    const grid = piece.ppq / p.positionsPerBeat;
    const maxSteps = p.maxDurationBeats * p.positionsPerBeat;
    const q = (tick: number) => Math.round(tick / grid) * grid;
    const notes = piece.notes
      .map((n) => ({ ...n, on: q(n.startTick), steps: Math.max(1, Math.round((n.endTick - n.startTick) / grid)) }))
      .sort((a, b) => a.on - b.on || a.program - b.program || a.pitch - b.pitch);
    const until = Math.max(0, ...notes.map((n) => n.on));
    const barList = bars(piece.timeSignatures, piece.ppq, until);
    const tempos = piece.tempos.length > 0 ? piece.tempos : [{ tick: 0, usPerQuarter: 500_000 }];
    const tokens: string[] = [];
    let noteIndex = 0;
    let tempoIndex = 0;
    let lastTempoBin = -1;
    let lastMeter = '';
    for (let b = 0; b < barList.length; b++) {
      const bar = barList[b]!;
      const barEnd = bar.tick + bar.length;
      if (noteIndex >= notes.length) break;
      tokens.push('Bar');
      const meter = `${bar.meter.numerator}/${bar.meter.denominator}`;
      if (meter !== lastMeter) tokens.push(`Meter_${meter}`);
      lastMeter = meter;
      let lastPos = -1;
      let lastProgram = -1;
      // Tempo changes and notes inside this bar, in time order.
      for (;;) {
        const note = notes[noteIndex];
        const noteAt = note && note.on < barEnd ? note.on : Infinity;
        const tempo = tempos[tempoIndex];
        const tempoAt = tempo && q(tempo.tick) < barEnd ? Math.max(bar.tick, q(tempo.tick)) : Infinity;
        if (noteAt === Infinity && tempoAt === Infinity) break;
        const at = Math.min(noteAt, tempoAt);
        const pos = Math.round((at - bar.tick) / grid);
        if (pos !== lastPos) tokens.push(`Pos_${pos}`);
        lastPos = pos;
        if (tempoAt <= noteAt) {
          const bin = tempoBin(60_000_000 / tempo!.usPerQuarter, p.tempoBins);
          if (bin !== lastTempoBin) tokens.push(`Tempo_${bin}`);
          lastTempoBin = bin;
          tempoIndex++;
          continue;
        }
        if (p.programs && note!.program !== lastProgram) tokens.push(`Program_${note!.program}`);
        lastProgram = note!.program;
        tokens.push(`Pitch_${note!.pitch}`, `Vel_${velocityBin(note!.velocity, p.velocityBins)}`, ...lengthTokens(note!.steps, maxSteps, p));
        noteIndex++;
      }
    }
    return { representation: 'tokens', tokens };
  },

  decode(encoded, p, context) {
    if (encoded.representation !== 'tokens') throw new Error('events decodes tokens');
    const grid = context.ppq / p.positionsPerBeat;
    const notes: Omit<NoteEvent, 'startSec' | 'endSec'>[] = [];
    // Bars follow the Meter tokens; before any, the context's meter.
    const meter = context.timeSignatures[0] ?? { tick: 0, numerator: 4, denominator: 4 };
    let barStart = -1;
    let barLength = (meter.numerator * 4 * context.ppq) / meter.denominator;
    let pos = 0;
    let program = 0;
    let pitch: number | null = null;
    let velocity = 100;
    let held = 0;
    const maxSteps = p.maxDurationBeats * p.positionsPerBeat;
    for (const token of encoded.tokens) {
      const [name, value] = token.split('_') as [string, string | undefined];
      if (name === 'Bar') {
        barStart = barStart < 0 ? 0 : barStart + barLength;
        pos = 0;
      } else if (name === 'Meter' && value) {
        const [n, d] = value.split('/').map(Number);
        if (n && d) barLength = (n * 4 * context.ppq) / d;
      } else if (name === 'Pos') pos = Number(value);
      else if (name === 'Program') program = Number(value);
      else if (name === 'Pitch') pitch = Number(value);
      else if (name === 'Vel') velocity = velocityOfBin(Number(value), p.velocityBins);
      else if (name === HOLD && pitch !== null) held += maxSteps;
      else if (name === 'Dur' && pitch !== null) {
        const start = Math.max(0, barStart) + pos * grid;
        notes.push({ pitch, velocity, startTick: Math.round(start), endTick: Math.round(start + (held + Number(value)) * grid), program });
        pitch = null;
        held = 0;
      }
    }
    return sortNotes(withSeconds(notes, context));
  },

  legacyParams(version, stored) {
    // Version 1 cut notes longer than its longest length: its vocabularies keep that reading.
    return version === 1 ? { ...stored, longNotes: 'cut' } : null;
  },

  tokenInfo(token) {
    if (token.startsWith('Pitch_')) return { pitches: [Number(token.slice(6))], rhythm: null };
    return { pitches: [], rhythm: token.startsWith('Pos_') ? token : null };
  },

  transpose(token, semitones) {
    if (!token.startsWith('Pitch_')) return token;
    const pitch = Number(token.slice(6)) + semitones;
    return pitch >= 0 && pitch <= 127 ? `Pitch_${pitch}` : null;
  },
};

/** The tempo map a decoded event sequence asks for (Tempo tokens), for generation to honour. */
export function tempoOfToken(token: string, p: Params): number | null {
  return token.startsWith('Tempo_') ? tempoOfBin(Number(token.slice(6)), p.tempoBins) : null;
}
