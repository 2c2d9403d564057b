import { z } from 'zod';
import { flag } from './param-types';
import { sortNotes, withTicks } from './timeline';
import type { Encoding, NoteEvent } from './types';

const params = z
  .object({
    /** Frames a second (seed 002 used 5). */
    fps: z.coerce.number().int().min(1).max(100).default(5),
    /** Mark a pitch struck in this frame with "+", telling a new note from a held one. */
    onsets: flag(false),
  })
  .strict();

type Params = z.infer<typeof params>;

const SILENCE = 'e';

/**
 * Seed 002 (pretty_midi style): the piano roll sampled `fps` times a second; each frame is the
 * sorted set of sounding pitches ("67,77") or "e" for silence. A note sounds in frames
 * floor(start·fps) up to, not including, floor(end·fps), as pretty_midi's get_piano_roll has it.
 * With `onsets`, a pitch struck in a frame is written "67+", so repeated notes stay apart.
 */
export const frames: Encoding<Params> = {
  info: {
    kind: 'frames',
    version: 1,
    title: 'What sounds, moment by moment',
    musical: "What sounds in each fifth of a second, chord by chord: seed 002's reading, for music with free timing.",
    seed: 'seed 002: embedding + BiGRU over piano-roll frames (pretty_midi)',
    defaults: params.parse({}),
    paramLabels: { fps: 'Frames a second', onsets: 'Mark struck notes' },
    paramHelp: {
      fps: 'frames a second (5)',
      onsets: 'true marks pitches struck in a frame with "+", telling repeated notes apart',
    },
    resolution: 'which pitches sound in each frame (1/fps seconds)',
    loses: [
      'timing finer than a frame (0.2 s at 5 fps)',
      'notes that start and end within one frame',
      'unless struck notes are marked: a note repeated without a gap merges into one long note',
      'velocity (decoded as 100) and instruments',
    ],
    representation: 'tokens',
  },
  params,

  encode(piece, p) {
    if (piece.notes.length === 0) return { representation: 'tokens', tokens: [] };
    // A loop, not Math.max(...): a piece of 150,000 notes overflows the stack as arguments.
    const last = piece.notes.reduce((most, n) => Math.max(most, Math.floor(n.endSec * p.fps)), -Infinity);
    const sounding: Set<number>[] = Array.from({ length: last }, () => new Set());
    const struck: Set<number>[] = Array.from({ length: last }, () => new Set());
    for (const n of piece.notes) {
      const from = Math.floor(n.startSec * p.fps);
      // With onsets every note is kept for at least one frame; the seed drops notes inside a frame.
      const to = p.onsets ? Math.max(from + 1, Math.floor(n.endSec * p.fps)) : Math.floor(n.endSec * p.fps);
      for (let f = from; f < to && f < last; f++) sounding[f]!.add(n.pitch);
      if (from < to && from < last) struck[from]!.add(n.pitch);
    }
    const tokens = sounding.map((set, f) => {
      if (set.size === 0) return SILENCE;
      return [...set]
        .sort((a, b) => a - b)
        .map((pitch) => (p.onsets && struck[f]!.has(pitch) ? `${pitch}+` : String(pitch)))
        .join(',');
    });
    return { representation: 'tokens', tokens };
  },

  decode(encoded, p, context) {
    if (encoded.representation !== 'tokens') throw new Error('frames decodes tokens');
    const notes: Omit<NoteEvent, 'startTick' | 'endTick'>[] = [];
    const open = new Map<number, number>(); // pitch → start frame
    const close = (pitch: number, frame: number) => {
      notes.push({ pitch, velocity: 100, startSec: open.get(pitch)! / p.fps, endSec: frame / p.fps, program: 0 });
      open.delete(pitch);
    };
    const frameCount = encoded.tokens.length;
    encoded.tokens.forEach((token, f) => {
      const now = new Map<number, boolean>(); // pitch → struck in this frame
      if (token !== SILENCE && !token.startsWith('<')) {
        for (const part of token.split(',')) {
          const pitch = Number(part.replace('+', ''));
          if (Number.isInteger(pitch) && pitch >= 0 && pitch <= 127) now.set(pitch, part.endsWith('+'));
        }
      }
      for (const pitch of [...open.keys()]) if (!now.has(pitch) || now.get(pitch)) close(pitch, f);
      for (const pitch of now.keys()) if (!open.has(pitch)) open.set(pitch, f);
    });
    for (const pitch of [...open.keys()]) close(pitch, frameCount);
    return sortNotes(withTicks(notes, context));
  },

  tokenInfo(token) {
    if (token === SILENCE || token.startsWith('<')) return { pitches: [], rhythm: null };
    return { pitches: token.split(',').map((part) => Number(part.replace('+', ''))).filter((m) => Number.isInteger(m)), rhythm: null };
  },

  transpose(token, semitones) {
    if (token === SILENCE || token.startsWith('<')) return token;
    const parts = token.split(',').map((part) => ({ pitch: Number(part.replace('+', '')) + semitones, struck: part.endsWith('+') }));
    if (parts.some((x) => x.pitch < 0 || x.pitch > 127)) return null;
    return parts.map((x) => `${x.pitch}${x.struck ? '+' : ''}`).join(',');
  },
};
