/**
 * Continuing a passage with a trained model: the passage is encoded as the model's vocabulary
 * has it, fed to the model once (recurrent state or KV cache carried forward), then each take is
 * sampled token by token under the constraints and decoded onto the passage's own timeline.
 * Runs wherever the TF runtime lives: the worker for the studio, the trainer for auditions.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Constraints, GeneratedNote, LengthSpec, Take } from '../../shared/generation';
import { TempoMap } from '../../shared/music/tempo-map';
import { seededRandom } from '../../shared/random';
import { encodingOf } from '../encode/registry';
import type { DecodeContext, NoteEvent } from '../encode/types';
import { seedFor } from '../models/init';
import { PsdLstm } from '../models/psd-lstm';
import { Rbm } from '../models/rbm';
import { isTokenGenerator, type TokenGenerator, type TrainableModel } from '../models/types';
import { nearest, pitchAllowed, pitchBias, tokenBias } from './constraints';
import { barStarts, type Passage } from './primer';
import { sampleIndex, type SamplingOptions } from './sampling';
import type { ParamValue } from '../../shared/encoding';

export interface VocabularyContext {
  encoding: string;
  params: Record<string, ParamValue>;
  representation: 'tokens' | 'features' | 'binary';
  width: number;
  tokens: string[];
  counts: number[];
}

export interface ContinueOptions extends SamplingOptions {
  length: LengthSpec;
  variations: number;
  seed: number;
  constraints: Constraints;
  /** The training window: how much context a window-reading model sees. */
  window: number;
  /** RBM: Gibbs rounds a generated window. */
  gibbsSteps?: number;
}

export interface ContinueHooks {
  /** Called now and then with the takes so far (`takes` at most every `previewMs`). */
  progress?(done: number, total: number, takes: Take[] | null): void;
  cancelled?(): boolean;
  previewMs?: number;
}

export class GenerationCancelled extends Error {
  constructor() {
    super('the generation was cancelled');
  }
}

/** Tokens a length in bars or seconds may take at most (a guard, not a target). */
const MAX_TOKENS = 20_000;
const CHECK_EVERY = 16;

function noteKey(n: { pitch: number; startTick: number }): string {
  return `${n.pitch}@${n.startTick}`;
}

/** Where the continuation must end, in ticks of the passage's timeline (null: counted in tokens). */
function targetTick(passage: Passage, length: LengthSpec): number | null {
  if (length.unit === 'tokens') return null;
  if (length.unit === 'bars') {
    // Bars from the seam: the passage usually ends on a bar line; if not, from the next one. A bar
    // holds at most 64 quarter notes, so the bar starts computed reach far enough.
    const bars = Math.ceil(length.value);
    const starts = barStarts(passage.timeSignatures, passage.ppq, passage.endTick + (bars + 1) * 64 * passage.ppq);
    const first = starts.findIndex((t) => t >= passage.endTick);
    return starts[Math.min(starts.length - 1, first + bars)]!;
  }
  const map = new TempoMap(passage.ppq, passage.tempos);
  return Math.round(map.toTicks(map.toSeconds(passage.endTick) + length.value));
}

interface Decoded {
  /** Continuation notes on the passage's timeline. */
  notes: GeneratedNote[];
  /** How far the continuation reaches (last note end), in ticks. */
  reach: number;
}

/**
 * The continuation's notes: everything decoding primer-plus-generated gives that decoding the
 * primer alone does not, moved onto the passage's timeline where the encoding's clock differs.
 */
function continuationNotes(
  decodeAll: NoteEvent[],
  primerKeys: Set<string>,
  shift: number,
  context: DecodeContext,
  seamTick: number,
  program: number | null = null,
): Decoded {
  const map = new TempoMap(context.ppq, context.tempos);
  const notes: GeneratedNote[] = [];
  let reach = seamTick;
  for (const n of decodeAll) {
    if (primerKeys.has(noteKey(n))) continue;
    // What the model adds inside the passage's own span (an event encoding can place notes in its last bar) is not the continuation.
    if (n.startTick + shift < seamTick) continue;
    const startTick = n.startTick + shift;
    const endTick = Math.max(startTick, n.endTick + shift);
    notes.push({ pitch: n.pitch, velocity: n.velocity, program: program ?? n.program, startTick, endTick, startSec: map.toSeconds(startTick), endSec: map.toSeconds(endTick) });
    reach = Math.max(reach, endTick);
  }
  return { notes, reach };
}

/**
 * The instrument the continuation plays: the passage's most used program, unless the encoding
 * itself carries programs (events with programs), whose decoded programs then stand.
 */
function passageProgram(passage: Passage, vocab: VocabularyContext): number | null {
  if (vocab.params.programs === true || passage.notes.length === 0) return null;
  const counts = new Map<number, number>();
  for (const n of passage.notes) counts.set(n.program, (counts.get(n.program) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
}

/** Notes from the seam to the target: later onsets dropped, the last notes cut at the target. */
function clip(notes: GeneratedNote[], target: number | null, map: TempoMap): GeneratedNote[] {
  if (target === null) return notes;
  return notes
    .filter((n) => n.startTick < target)
    .map((n) => (n.endTick > target ? { ...n, endTick: target, endSec: map.toSeconds(target) } : n));
}

function takeOf(index: number, passage: Passage, continuation: GeneratedNote[], tokens: number, map: TempoMap): Take {
  const primer = passage.notes.map((n) => ({ pitch: n.pitch, velocity: n.velocity, startTick: n.startTick, endTick: n.endTick, startSec: n.startSec, endSec: n.endSec, program: n.program }));
  const notes = [...primer, ...continuation].sort((a, b) => a.startTick - b.startTick || a.pitch - b.pitch);
  return { index, notes, seamTick: passage.endTick, seamSec: map.toSeconds(passage.endTick), tokens };
}

export async function continuePassage(
  model: TrainableModel,
  vocab: VocabularyContext,
  passage: Passage,
  options: ContinueOptions,
  hooks: ContinueHooks = {},
): Promise<{ takes: Take[]; notices: string[] }> {
  if (isTokenGenerator(model)) return continueTokens(model, vocab, passage, options, hooks);
  if (model instanceof PsdLstm) return continueFeatures(model, vocab, passage, options, hooks);
  if (model instanceof Rbm) return continueRows(model, vocab, passage, options, hooks);
  throw new Error('this model cannot generate');
}

/** What every continuation needs: the encoding, the passage's timeline, where it must end and its step budget. */
function planOf(passage: Passage, vocab: VocabularyContext, length: LengthSpec) {
  return {
    encoding: encodingOf(vocab.encoding),
    context: { ppq: passage.ppq, tempos: passage.tempos, timeSignatures: passage.timeSignatures } satisfies DecodeContext,
    map: new TempoMap(passage.ppq, passage.tempos),
    target: targetTick(passage, length),
    budget: length.unit === 'tokens' ? length.value : MAX_TOKENS,
  };
}

function passageAsEncodable(passage: Passage) {
  return {
    ppq: passage.ppq,
    tempos: passage.tempos,
    timeSignatures: passage.timeSignatures,
    keySignatures: passage.keySignatures,
    durationTicks: passage.endTick,
    notes: passage.notes,
  };
}

async function continueTokens(
  model: TrainableModel & TokenGenerator,
  vocab: VocabularyContext,
  passage: Passage,
  options: ContinueOptions,
  hooks: ContinueHooks,
): Promise<{ takes: Take[]; notices: string[] }> {
  const { encoding, context, map, target, budget } = planOf(passage, vocab, options.length);
  const notices: string[] = [];
  const ids = new Map(vocab.tokens.map((t, i) => [t, i]));

  // The passage as the vocabulary's tokens; a token it lacks becomes the same one an octave or two away, else is left out.
  const encoded = passage.notes.length > 0 ? encoding.encode(passageAsEncodable(passage), vocab.params) : { representation: 'tokens' as const, tokens: [] };
  if (encoded.representation !== 'tokens') throw new Error(`${vocab.encoding} does not encode tokens`);
  const primer: string[] = [];
  let moved = 0;
  let dropped = 0;
  for (const token of encoded.tokens) {
    if (ids.has(token)) {
      primer.push(token);
      continue;
    }
    const near = [12, -12, 24, -24].map((s) => encoding.transpose?.(token, s, vocab.params) ?? null).find((t) => t !== null && ids.has(t));
    if (near) {
      primer.push(near);
      moved++;
    } else dropped++;
  }
  if (moved + dropped > 0) {
    notices.push(
      `${moved + dropped} of the passage's ${encoded.tokens.length} tokens are not in the model's vocabulary: ` +
        [moved > 0 ? `${moved} played an octave or two away` : '', dropped > 0 ? `${dropped} left out` : ''].filter(Boolean).join(', '),
    );
  }

  const infoOf = encoding.tokenInfo ? (t: string) => encoding.tokenInfo!(t, vocab.params) : null;
  const { bias, notices: constraintNotices } = tokenBias(vocab.tokens, infoOf, options.constraints, primer, encoding.info.title);
  notices.push(...constraintNotices);

  const V = options.variations;
  const vocabSize = vocab.tokens.length;
  const randoms = Array.from({ length: V }, (_, v) => seededRandom(seedFor(options.seed, v)));
  const generated: number[][] = Array.from({ length: V }, () => []);
  const primerKeys = new Set(encoding.decode({ representation: 'tokens', tokens: primer }, vocab.params, context).map(noteKey));
  const clock = encoding.clockAfter?.(primer, vocab.params, passage.ppq) ?? null;
  const shift = clock === null ? 0 : passage.endTick - clock;
  const program = passageProgram(passage, vocab);
  let relaxed = 0;

  const decodeTake = (v: number): Decoded =>
    continuationNotes(
      encoding.decode({ representation: 'tokens', tokens: [...primer, ...generated[v]!.map((id) => vocab.tokens[id]!)] }, vocab.params, context),
      primerKeys,
      shift,
      context,
      passage.endTick,
      program,
    );

  const stepper = model.stepper(V, options.window);
  try {
    // Prime: every take reads the same passage. Without one, each take starts from a token drawn as often as the corpus has it.
    let logits: Float32Array;
    if (primer.length > 0) {
      logits = new Float32Array(0);
      for (let i = 0; i < primer.length; i++) {
        logits = stepper.step(new Int32Array(V).fill(ids.get(primer[i]!)!));
        if (i % 64 === 63) {
          if (hooks.cancelled?.()) throw new GenerationCancelled();
          await yieldToLoop();
        }
      }
    } else {
      const first = Int32Array.from(randoms, (random) => drawByCount(vocab.counts, bias, random));
      first.forEach((id, v) => generated[v]!.push(id));
      logits = stepper.step(first);
    }
    // The passage is playable at once, before the first token is sampled.
    hooks.progress?.(0, budget, generated.map((_, v) => takeOf(v, passage, [], 0, map)));
    const finished = new Array<boolean>(V).fill(false);
    let lastPreview = performance.now();
    for (let step = generated[0]!.length; step < budget; step++) {
      const next = new Int32Array(V);
      for (let v = 0; v < V; v++) {
        const pick = sampleIndex(logits, v * vocabSize, vocabSize, options, randoms[v]!, bias);
        if (pick.relaxed) relaxed++;
        next[v] = pick.index;
        if (!finished[v]) generated[v]!.push(pick.index);
      }
      if (target !== null && (step + 1) % CHECK_EVERY === 0) {
        for (let v = 0; v < V; v++) if (!finished[v] && decodeTake(v).reach >= target) finished[v] = true;
        if (finished.every(Boolean)) break;
      }
      const now = performance.now();
      if (step % 8 === 7 || now - lastPreview > (hooks.previewMs ?? 250)) {
        if (hooks.cancelled?.()) throw new GenerationCancelled();
        const preview = hooks.progress && now - lastPreview > (hooks.previewMs ?? 250);
        hooks.progress?.(step + 1, budget, preview ? generated.map((_, v) => takeOf(v, passage, clip(decodeTake(v).notes, target, map), generated[v]!.length, map)) : null);
        if (preview) lastPreview = now;
        await yieldToLoop();
      }
      if (step + 1 < budget) logits = stepper.step(next);
    }
  } finally {
    stepper.dispose();
  }
  if (relaxed > 0) notices.push(`the constraints allowed no token the model knows at ${relaxed} steps; there they were relaxed`);
  const takes = generated.map((tokens, v) => takeOf(v, passage, clip(decodeTake(v).notes, target, map), tokens.length, map));
  if (takes.every((t) => t.notes.length === passage.notes.length)) notices.push('the model produced no notes in this length: try a longer length or a higher temperature');
  return { takes, notices };
}

/** A token drawn in proportion to its corpus count, among those the bias allows. */
function drawByCount(counts: number[], bias: Float32Array, random: () => number): number {
  const weights = counts.map((c, i) => (bias[i]! > -Infinity ? c : 0));
  const total = weights.reduce((a, b) => a + b, 0);
  if (total === 0) return counts.findIndex((_, i) => bias[i]! > -Infinity);
  let u = random() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u <= 0) return i;
  }
  return weights.length - 1;
}

async function continueFeatures(model: PsdLstm, vocab: VocabularyContext, passage: Passage, options: ContinueOptions, hooks: ContinueHooks): Promise<{ takes: Take[]; notices: string[] }> {
  const { encoding, context, map, target, budget } = planOf(passage, vocab, options.length);
  const notices: string[] = [];
  const encoded = passage.notes.length > 0 ? encoding.encode(passageAsEncodable(passage), vocab.params) : { representation: 'features' as const, width: 3, data: new Float32Array(0) };
  if (encoded.representation !== 'features') throw new Error(`${vocab.encoding} does not encode features`);
  const rows = encoded.data.length / 3;
  const V = options.variations;
  const c = options.constraints;
  const pBias = pitchBias(c);
  const density = c.density ?? 1;
  const steps = [...new Set(Array.from({ length: rows }, (_, i) => encoded.data[i * 3 + 1]!))].sort((a, b) => a - b);
  const durations = [...new Set(Array.from({ length: rows }, (_, i) => encoded.data[i * 3 + 2]!))].sort((a, b) => a - b);
  const lock = c.rhythmLock === true && rows > 0;
  if (c.rhythmLock && rows === 0) notices.push('the rhythm lock needs a passage to take its rhythm from: not applied');
  const randoms = Array.from({ length: V }, (_, v) => seededRandom(seedFor(options.seed, v)));
  const generated: number[][] = Array.from({ length: V }, () => []);
  const primerKeys = new Set(encoding.decode(encoded, vocab.params, context).map(noteKey));
  const decodeTake = (v: number): Decoded => {
    const data = new Float32Array(encoded.data.length + generated[v]!.length);
    data.set(encoded.data);
    data.set(generated[v]!, encoded.data.length);
    return continuationNotes(encoding.decode({ representation: 'features', width: 3, data }, vocab.params, context), primerKeys, 0, context, passage.endTick, passageProgram(passage, vocab));
  };
  const stepper = model.featureStepper(V);
  try {
    let out: { pitch: Float32Array; step: Float32Array; duration: Float32Array } = { pitch: new Float32Array(V * 128), step: new Float32Array(V), duration: new Float32Array(V) };
    for (let i = 0; i < rows; i++) {
      const row = encoded.data.subarray(i * 3, i * 3 + 3);
      const input = new Float32Array(V * 3);
      for (let v = 0; v < V; v++) input.set(row, v * 3);
      out = stepper.step(input);
    }
    if (rows === 0) out = stepper.step(new Float32Array(V * 3));
    const finished = new Array<boolean>(V).fill(false);
    let lastPreview = performance.now();
    for (let n = 0; n < budget; n++) {
      const input = new Float32Array(V * 3);
      for (let v = 0; v < V; v++) {
        const pitch = sampleIndex(out.pitch, v * 128, 128, options, randoms[v]!, pBias).index;
        // As the tutorial: negative predictions clamp to zero. Density scales the gaps; the lock snaps to the passage's values.
        let step = Math.max(0, out.step[v]!) / density;
        let duration = Math.max(0, out.duration[v]!);
        if (lock) {
          step = nearest(steps, step);
          duration = nearest(durations, duration);
        }
        input.set([pitch, step, duration], v * 3);
        if (!finished[v]) generated[v]!.push(pitch, step, duration);
      }
      if (target !== null && (n + 1) % CHECK_EVERY === 0) {
        for (let v = 0; v < V; v++) if (!finished[v] && decodeTake(v).reach >= target) finished[v] = true;
        if (finished.every(Boolean)) break;
      }
      const now = performance.now();
      if (n % 8 === 7) {
        if (hooks.cancelled?.()) throw new GenerationCancelled();
        const preview = now - lastPreview > (hooks.previewMs ?? 250);
        hooks.progress?.(n + 1, budget, preview ? generated.map((g, v) => takeOf(v, passage, clip(decodeTake(v).notes, target, map), g.length / 3, map)) : null);
        if (preview) lastPreview = now;
        await yieldToLoop();
      }
      out = stepper.step(input);
    }
  } finally {
    stepper.dispose();
  }
  const takes = generated.map((g, v) => takeOf(v, passage, clip(decodeTake(v).notes, target, map), g.length / 3, map));
  return { takes, notices };
}

async function continueRows(model: Rbm, vocab: VocabularyContext, passage: Passage, options: ContinueOptions, hooks: ContinueHooks): Promise<{ takes: Take[]; notices: string[] }> {
  const { encoding, context, map, target, budget } = planOf(passage, vocab, options.length);
  const notices: string[] = [];
  const width = vocab.width;
  const W = options.window;
  const known = Math.floor(W / 2);
  const fresh = W - known;
  const encoded = passage.notes.length > 0 ? encoding.encode(passageAsEncodable(passage), vocab.params) : { representation: 'binary' as const, width, data: new Uint8Array(0) };
  if (encoded.representation !== 'binary') throw new Error(`${vocab.encoding} does not encode piano-roll rows`);
  const lowest = Number(vocab.params.lowest ?? 24);
  // Columns are (play, articulate) pairs from the lowest pitch up; a column outside the constraints is never set.
  const allowed = Uint8Array.from({ length: width }, (_, col) => (pitchAllowed(lowest + Math.floor(col / 2), options.constraints) ? 1 : 0));
  if (options.constraints.density !== undefined || options.constraints.rhythmLock) notices.push('density and the rhythm lock do not apply to the RBM: it samples whole windows at once');
  const V = options.variations;
  const rows: Uint8Array[] = Array.from({ length: V }, () => Uint8Array.from(encoded.data));
  const primerRows = encoded.data.length / width;
  const primerKeys = new Set(encoding.decode(encoded, vocab.params, context).map(noteKey));
  const program = passageProgram(passage, vocab);
  const decodeTake = (v: number): Decoded =>
    continuationNotes(encoding.decode({ representation: 'binary', width, data: rows[v]! }, vocab.params, context), primerKeys, 0, context, passage.endTick, program);
  let made = 0;
  let round = 0;
  while (made < budget) {
    const contextRows = new Float32Array(V * W * width);
    for (let v = 0; v < V; v++) {
      const have = rows[v]!.length / width;
      const from = Math.max(0, have - known);
      // The known rows sit at the end of the clamped half (zeros before a short passage).
      contextRows.set(rows[v]!.subarray(from * width, have * width), v * W * width + (known - (have - from)) * width);
    }
    const sample = model.continueWindow(contextRows, V, known * width, options.gibbsSteps ?? 20, seedFor(options.seed, 1000 + round++));
    for (let v = 0; v < V; v++) {
      const next = new Uint8Array(rows[v]!.length + fresh * width);
      next.set(rows[v]!);
      for (let i = 0; i < fresh * width; i++) next[rows[v]!.length + i] = sample[v * W * width + known * width + i]! > 0.5 && allowed[i % width] ? 1 : 0;
      rows[v] = next;
    }
    made += fresh;
    if (target !== null && rows.every((_, v) => decodeTake(v).reach >= target)) break;
    if (hooks.cancelled?.()) throw new GenerationCancelled();
    hooks.progress?.(Math.min(made, budget), budget, null);
    await yieldToLoop();
  }
  const takes = rows.map((r, v) => takeOf(v, passage, clip(decodeTake(v).notes, target, map), r.length / width - primerRows, map));
  return { takes, notices };
}
