/** Generation types that cross the API boundary, with the schemas that validate them. */
import { z } from 'zod';
import type { MeterPoint, TempoPoint } from './library';

const id = z.number().int().positive();

/** Where a continuation starts from. */
export const primerSource = z.discriminatedUnion('kind', [
  /** A passage of a stored piece, by bars (1-based, inclusive) or by seconds; the whole piece when neither is given. */
  z
    .object({
      kind: z.literal('piece'),
      pieceId: id,
      bars: z.tuple([z.number().int().min(1), z.number().int().min(1)]).optional(),
      seconds: z.tuple([z.number().min(0), z.number().min(0)]).optional(),
    })
    .strict()
    .refine((p) => !p.bars || p.bars[0] <= p.bars[1], { message: 'the first bar comes after the last', path: ['bars'] })
    .refine((p) => !p.seconds || p.seconds[0] < p.seconds[1], { message: 'the time range is empty', path: ['seconds'] }),
  /** A MIDI file dropped in (base64), the whole file. */
  z.object({ kind: z.literal('midi'), name: z.string().min(1).max(500), data: z.string().min(1).max(90_000_000) }).strict(),
  /** An earlier generation: one take's whole result (passage and continuation). */
  z.object({ kind: z.literal('generation'), generationId: id, take: z.number().int().min(0).max(15).default(0) }).strict(),
  /** Nothing: the model's own start. */
  z.object({ kind: z.literal('none') }).strict(),
  /** Seed 002's way: silence, then one chosen note. */
  z.object({ kind: z.literal('note'), pitch: z.number().int().min(0).max(127) }).strict(),
]);
export type PrimerSource = z.infer<typeof primerSource>;

export const SCALES = {
  chromatic: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  major: [0, 2, 4, 5, 7, 9, 11],
  minor: [0, 2, 3, 5, 7, 8, 10],
  dorian: [0, 2, 3, 5, 7, 9, 10],
  mixolydian: [0, 2, 4, 5, 7, 9, 10],
  'harmonic minor': [0, 2, 3, 5, 7, 8, 11],
  'major pentatonic': [0, 2, 4, 7, 9],
  'minor pentatonic': [0, 3, 5, 7, 10],
  blues: [0, 3, 5, 6, 7, 10],
} as const satisfies Record<string, readonly number[]>;
export type ScaleName = keyof typeof SCALES;

/** Constraints applied as masks (and one bias) on the model's output distribution, for any model. */
export const constraints = z
  .object({
    /** Only pitches of this scale on this tonic (0 = C … 11 = B). */
    key: z.object({ tonic: z.number().int().min(0).max(11), scale: z.enum(Object.keys(SCALES) as [ScaleName, ...ScaleName[]]) }).strict().optional(),
    /** Only pitches in this range (MIDI numbers, inclusive). */
    pitchRange: z
      .tuple([z.number().int().min(0).max(127), z.number().int().min(0).max(127)])
      .refine(([lo, hi]) => lo <= hi, { message: 'the lowest pitch is above the highest' })
      .optional(),
    /** Note density relative to what the model learned: 0.25 (sparser) … 4 (busier); 1 leaves it alone. */
    density: z.number().min(0.25).max(4).optional(),
    /** Onsets only on the grid positions (or with the lengths) the passage used. */
    rhythmLock: z.boolean().optional(),
  })
  .strict();
export type Constraints = z.infer<typeof constraints>;

export const lengthSpec = z
  .object({ unit: z.enum(['tokens', 'bars', 'seconds']), value: z.number().positive() })
  .strict()
  .refine((l) => (l.unit === 'tokens' ? Number.isInteger(l.value) && l.value <= 20_000 : l.unit === 'bars' ? l.value <= 512 : l.value <= 1800), {
    message: 'the length is impossible: at most 20,000 tokens, 512 bars or 1,800 seconds (tokens are whole numbers)',
  });
export type LengthSpec = z.infer<typeof lengthSpec>;

export const generateInput = z
  .object({
    modelId: id,
    /** A checkpoint of the model; its best (else latest) when omitted. */
    checkpointId: id.optional(),
    primer: primerSource,
    length: lengthSpec.default({ unit: 'bars', value: 8 }),
    temperature: z.number().min(0.05).max(5).default(1),
    /** Sample among the k likeliest (0 = all). */
    topK: z.number().int().min(0).max(100_000).default(0),
    /** Sample among the likeliest whose probabilities sum to p (1 = all). */
    topP: z.number().gt(0).max(1).default(1),
    /** Always the likeliest (seed 000's argmax); ignores temperature, top-k and top-p. */
    greedy: z.boolean().default(false),
    variations: z.number().int().min(1).max(16).default(4),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    constraints: constraints.default({}),
    /** A personalised model's blend with its base: 0 = only the personalised model, 1 = only its base. */
    baseWeight: z.number().min(0).max(1).default(0),
    /** Never copy more than this many bars of the model's corpus (any key, same rhythm): a take that starts to is sampled again from there. 0 allows exact quotations. */
    maxCopyBars: z.number().min(0).max(64).default(4),
    name: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type GenerateInput = z.infer<typeof generateInput>;
export type GenerateRequest = z.input<typeof generateInput>;

/** A note on a generation's timeline. */
export interface GeneratedNote {
  pitch: number;
  velocity: number;
  startTick: number;
  endTick: number;
  startSec: number;
  endSec: number;
  program: number;
}

/** One variation: the passage and its continuation on one timeline; the seam is where the model took over. */
export interface Take {
  index: number;
  /** The musician marked this take as a keeper. */
  starred?: boolean;
  notes: GeneratedNote[];
  seamTick: number;
  seamSec: number;
  tokens: number;
}

/** A primer as a generation records it: a dropped MIDI file by name only. */
export type StoredPrimer = Exclude<PrimerSource, { kind: 'midi' }> | { kind: 'midi'; name: string };

export interface GenerationInfo {
  id: number;
  name: string;
  modelId: number;
  model: string;
  /** Null once training has pruned the checkpoint; `checkpointEpoch` still tells which it was. */
  checkpointId: number | null;
  checkpointEpoch: number;
  /** A readable primer reference ("Starter tunes/Greensleeves@bars=1-8"), and the source itself. */
  primerLabel: string;
  primer: StoredPrimer;
  /** `maxCopyBars` is absent from generations stored before the setting existed (they allowed quotations). */
  params: Omit<GenerateInput, 'modelId' | 'primer' | 'name' | 'maxCopyBars'> & { maxCopyBars?: number };
  starred: boolean;
  parentId: number | null;
  ppq: number;
  tempos: TempoPoint[];
  timeSignatures: MeterPoint[];
  takes: Take[];
  /** What the generator changed or could not honour (tokens outside the vocabulary, relaxed constraints…). */
  notices: string[];
  seconds: number;
  createdAt: string;
}

export type GenerationSummary = Omit<GenerationInfo, 'takes'> & { takeCount: number; noteCount: number };

/** Pushed while a generation runs: the takes so far (first notes playable at once). */
export interface GenerationProgress {
  jobId: string;
  done: number;
  total: number;
  takes: Take[] | null;
  /** The passage's timeline the takes' ticks count in (with `takes`). */
  timeline: { ppq: number; tempos: TempoPoint[]; timeSignatures: MeterPoint[] } | null;
}
