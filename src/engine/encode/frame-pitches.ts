import { z } from 'zod';
import { flag } from './param-types';
import { sortNotes, withSeconds } from './timeline';
import type { Encoding, NoteEvent, TokenGrammar } from './types';

const params = z
  .object({
    /** Frames a quarter note: 1 = a frame a beat (as the JSB chorale benchmark), 4 = sixteenths. */
    perBeat: z.coerce.number().int().min(1).max(48).default(4),
    /** Mark a pitch struck in a frame with "+", telling a new note from a held one. */
    onsets: flag(true),
  })
  .strict();

type Params = z.infer<typeof params>;

/** The token that ends a frame (an empty frame is a rest). */
export const FRAME_END = '|';
const PITCHES = 128;
const VELOCITY = 90;

function pitchToken(pitch: number, struck: boolean, p: Params): string {
  return p.onsets && struck ? `${pitch}+` : String(pitch);
}

/** A pitch token's pitch and whether it is struck there, or null for any other token. */
function readPitch(token: string): { pitch: number; struck: boolean } | null {
  const match = /^(\d{1,3})(\+?)$/.exec(token);
  if (!match) return null;
  const pitch = Number(match[1]);
  return pitch < PITCHES ? { pitch, struck: match[2] === '+' } : null;
}

/**
 * Frames on a beat grid, each written pitch by pitch from low to high and closed by "|": a chord is
 * a short sequence of pitches rather than one token among thousands, so chords that share notes
 * share what a model learns of them. A note sounds from the frame its onset rounds to, for at least
 * one frame, up to the frame its release rounds to. The alphabet is closed (every pitch, struck or
 * held, and the frame end), so every piece on the grid has a token for everything it holds.
 */
export const framePitches: Encoding<Params> = {
  info: {
    kind: 'frame-pitches',
    version: 1,
    title: 'Chords on a beat grid',
    musical: 'The pitches sounding on each step of a beat grid, low to high: for chorales, hymns and block chords.',
    seed: null,
    defaults: params.parse({}),
    paramLabels: { perBeat: 'Steps a beat', onsets: 'Mark struck notes' },
    paramHelp: {
      perBeat: 'frames a quarter note (4 = sixteenths, 1 = a frame a beat)',
      onsets: 'true marks pitches struck in a frame with "+", telling repeated notes from held ones',
    },
    resolution: 'which pitches sound in each frame of the beat grid, low to high',
    loses: ['timing finer than a frame (a sixteenth at 4 a beat)', 'velocity (decoded as 90) and instruments', 'unless struck notes are marked: a note repeated without a gap merges into one long note'],
    representation: 'tokens',
  },
  params,

  encode(piece, p) {
    const grid = piece.ppq / p.perBeat;
    const spans = piece.notes.map((n) => {
      const from = Math.round(n.startTick / grid);
      return { pitch: n.pitch, from, to: Math.max(from + 1, Math.round(n.endTick / grid)) };
    });
    // Up to the piece's end, rests included: a passage that ends in a rest keeps its length.
    const frames = Math.max(spans.reduce((m, s) => Math.max(m, s.to), 0), piece.notes.length > 0 ? Math.round(piece.durationTicks / grid) : 0);
    const sounding: Map<number, boolean>[] = Array.from({ length: frames }, () => new Map());
    for (const s of spans) {
      for (let f = s.from; f < s.to; f++) {
        const frame = sounding[f]!;
        frame.set(s.pitch, frame.get(s.pitch) === true || f === s.from);
      }
    }
    const tokens: string[] = [];
    for (const frame of sounding) {
      for (const pitch of [...frame.keys()].sort((a, b) => a - b)) tokens.push(pitchToken(pitch, frame.get(pitch)!, p));
      tokens.push(FRAME_END);
    }
    return { representation: 'tokens', tokens };
  },

  decode(encoded, p, context) {
    if (encoded.representation !== 'tokens') throw new Error('frame-pitches decodes tokens');
    const grid = context.ppq / p.perBeat;
    const notes: Omit<NoteEvent, 'startSec' | 'endSec'>[] = [];
    const open = new Map<number, number>(); // pitch → start frame
    let frame = 0;
    let now = new Map<number, boolean>();
    const close = (pitch: number, at: number) => {
      notes.push({ pitch, velocity: VELOCITY, startTick: Math.round(open.get(pitch)! * grid), endTick: Math.round(at * grid), program: 0 });
      open.delete(pitch);
    };
    const endFrame = () => {
      for (const pitch of [...open.keys()]) if (!now.has(pitch) || now.get(pitch)) close(pitch, frame);
      for (const pitch of now.keys()) if (!open.has(pitch)) open.set(pitch, frame);
      frame++;
      now = new Map();
    };
    for (const token of encoded.tokens) {
      if (token === FRAME_END) endFrame();
      else {
        const read = readPitch(token);
        // Without onsets every pitch continues what sounded before; a pitch not sounding before starts.
        if (read) now.set(read.pitch, p.onsets ? read.struck : false);
      }
    }
    if (now.size > 0) endFrame();
    for (const pitch of [...open.keys()]) close(pitch, frame);
    return sortNotes(withSeconds(notes, context));
  },

  alphabet(p) {
    const pitches = Array.from({ length: PITCHES }, (_, pitch) => pitch);
    return [FRAME_END, ...pitches.map((pitch) => pitchToken(pitch, true, p)), ...(p.onsets ? pitches.map((pitch) => pitchToken(pitch, false, p)) : [])];
  },

  grammar(tokens, p) {
    return frameGrammar(tokens, p);
  },

  tokenInfo(token) {
    const read = readPitch(token);
    return { pitches: read ? [read.pitch] : [], rhythm: null };
  },

  transpose(token, semitones, p) {
    if (token === FRAME_END || token.startsWith('<')) return token;
    const read = readPitch(token);
    if (!read) return null;
    const pitch = read.pitch + semitones;
    return pitch < 0 || pitch >= PITCHES ? null : pitchToken(pitch, read.struck, p);
  },
};

/**
 * A scored piece's frames after its first and their nats (a frame is its tokens up to and
 * including its end mark), as the polyphonic benchmarks count nats per frame: the first frame has
 * no context to be predicted from.
 */
export function framesAfterFirst(tokens: readonly string[], nats: readonly number[]): { nats: number; frames: number } {
  let frame = 0;
  let total = 0;
  tokens.forEach((token, i) => {
    if (frame >= 1) total += nats[i]!;
    if (token === FRAME_END) frame++;
  });
  return { nats: total, frames: Math.max(0, frame - 1) };
}

/**
 * What may come next in a frame: a pitch above the last one written, or the frame's end; with
 * onsets, a held pitch only if it sounded in the frame before. Every sequence it allows is one
 * piece, so a model's probabilities renormalised over what it allows are a distribution over music.
 */
function frameGrammar(tokens: readonly string[], p: Params): TokenGrammar {
  const parsed = tokens.map((t) => (t === FRAME_END ? 'end' : readPitch(t)));
  let last = -1;
  let before = new Set<number>();
  let current = new Set<number>();
  return {
    allowed(mask) {
      parsed.forEach((t, id) => {
        if (t === 'end') mask[id] = 1;
        else if (t === null) mask[id] = 0;
        else mask[id] = t.pitch > last && (!p.onsets || t.struck || before.has(t.pitch)) ? 1 : 0;
      });
    },
    advance(id) {
      const t = parsed[id];
      if (t === 'end') {
        before = current;
        current = new Set();
        last = -1;
      } else if (t) {
        current.add(t.pitch);
        last = t.pitch;
      }
    },
  };
}
