import { EtudeError } from '../../shared/errors';
import type { ParamValue } from '../../shared/encoding';
import { encodingOf } from '../encode/registry';
import { seededRandom } from '../../shared/random';
import { NO_TARGET } from '../models/types';
import type { Store } from '../store/store';

export { NO_TARGET };

export { seededRandom };

export interface SplitOptions {
  /** Input steps a window; each window also holds the next step as the target. */
  sequenceLength: number;
  /** Share of pieces held out for validation (by piece, never by window). */
  validationFraction?: number;
  /** Pieces held out for validation by title instead of a random share (a benchmark's own split). */
  validationTitles?: readonly string[];
  seed?: number;
  /** Steps between consecutive window starts inside a piece. */
  stride?: number;
}

/**
 * All encoded pieces of one vocabulary in one flat typed array, with piece offsets. Windows are
 * never materialised: a window is (piece, start), found from prefix sums of per-piece counts.
 */
export class SequenceDataset {
  private constructor(
    readonly vocabularyId: number,
    readonly representation: 'tokens' | 'features' | 'binary',
    /** Numbers a step: 1 for tokens, the feature width otherwise. */
    readonly width: number,
    readonly data: Int32Array | Float32Array | Uint8Array,
    /** Step offsets: piece p spans steps offsets[p] … offsets[p+1]. */
    readonly offsets: Uint32Array,
    readonly titles: string[],
  ) {}

  static load(store: Store, vocabularyId: number): SequenceDataset {
    const vocab = store.vocabularies.get(vocabularyId);
    const rows = store.vocabularies.encodedPieces(vocabularyId);
    const width = vocab.representation === 'tokens' ? 1 : vocab.width;
    const totalSteps = rows.reduce((n, r) => n + r.steps, 0);
    const data =
      vocab.representation === 'tokens'
        ? new Int32Array(totalSteps)
        : vocab.representation === 'features'
          ? new Float32Array(totalSteps * width)
          : new Uint8Array(totalSteps * width);
    const offsets = new Uint32Array(rows.length + 1);
    let at = 0;
    rows.forEach((row, i) => {
      offsets[i] = at;
      // Copy through a fresh aligned buffer: SQLite's BLOB may sit at any byte offset.
      const bytes = new Uint8Array(row.data.byteLength);
      bytes.set(row.data);
      const view =
        vocab.representation === 'tokens'
          ? new Int32Array(bytes.buffer)
          : vocab.representation === 'features'
            ? new Float32Array(bytes.buffer)
            : bytes;
      data.set(view, at * width);
      at += row.steps;
    });
    offsets[rows.length] = at;
    return new SequenceDataset(vocabularyId, vocab.representation, width, data, offsets, rows.map((r) => r.title));
  }

  get pieces(): number {
    return this.offsets.length - 1;
  }

  get steps(): number {
    return this.offsets[this.offsets.length - 1]!;
  }

  /** Bytes held: the flat data and the offsets (windows cost nothing). */
  get byteLength(): number {
    return this.data.byteLength + this.offsets.byteLength;
  }

  pieceLength(p: number): number {
    return this.offsets[p + 1]! - this.offsets[p]!;
  }

  /**
   * Training and validation windows, split by piece with a fixed seed. Pieces too short for one
   * window are left out and counted; if none is long enough, says so.
   */
  split(options: SplitOptions): { train: WindowSet; validation: WindowSet; shortPieces: number; warnings: string[] } {
    const { sequenceLength } = options;
    const stride = options.stride ?? 1;
    if (!Number.isInteger(sequenceLength) || sequenceLength < 1) throw new EtudeError('invalid_input', 'the sequence length must be a whole number of at least 1');
    const usable: number[] = [];
    let shortPieces = 0;
    let longest = 0;
    for (let p = 0; p < this.pieces; p++) {
      longest = Math.max(longest, this.pieceLength(p));
      if (this.pieceLength(p) >= sequenceLength + 1) usable.push(p);
      else shortPieces++;
    }
    if (usable.length === 0) {
      throw new EtudeError(
        'invalid_input',
        `no piece is long enough for a window of ${sequenceLength} steps plus its target (the longest has ${longest}); choose a shorter sequence length`,
      );
    }
    const random = seededRandom(options.seed ?? 1);
    const order = [...usable];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const fraction = options.validationFraction ?? 0.1;
    let validationCount = order.length < 2 || fraction <= 0 ? 0 : Math.max(1, Math.round(order.length * fraction));
    if (options.validationTitles && options.validationTitles.length > 0) {
      // A named split: the titled pieces validate, the rest train (the held-out ones go first in the order).
      const named = new Set(options.validationTitles);
      const held = order.filter((p) => named.has(this.titles[p]!));
      if (held.length === 0) throw new EtudeError('invalid_input', `none of the ${named.size} pieces named for validation is in the corpus (or long enough for one window)`);
      if (held.length === order.length) throw new EtudeError('invalid_input', 'every piece is named for validation: leave some to train on');
      order.splice(0, order.length, ...held, ...order.filter((p) => !named.has(this.titles[p]!)));
      validationCount = held.length;
    }
    const warnings: string[] = [];
    if (shortPieces > 0) warnings.push(`${shortPieces} piece${shortPieces === 1 ? ' is' : 's are'} shorter than one window of ${sequenceLength + 1} steps and left out.`);
    if (validationCount === 0 && fraction > 0) warnings.push('Only one piece is long enough: there is no validation set, so the validation loss cannot be shown.');
    const byPosition = (a: number, b: number) => a - b;
    return {
      train: new WindowSet(this, order.slice(validationCount).sort(byPosition), sequenceLength, stride),
      validation: new WindowSet(this, order.slice(0, validationCount).sort(byPosition), sequenceLength, stride),
      shortPieces,
      warnings,
    };
  }
}

/** Token ids the windows write where a window reaches past its piece: the padding read before the start, and the start mark. */
export const PAD_ID = 0;
export const BOS_ID = 2;

/**
 * Windows of `sequenceLength` steps over some pieces, each with the next step as its target.
 * Window i starts at `offset` steps into dataset piece `piece`; a negative offset (tiled token
 * windows) reads the start mark at step −1 and padding before it, and a window may run past its
 * piece's end, where it has no targets.
 */
export interface Windows {
  readonly dataset: SequenceDataset;
  readonly sequenceLength: number;
  readonly count: number;
  locate(i: number): { piece: number; offset: number };
  /** Window order for one epoch, shuffled with a seed. */
  shuffled(seed: number): Uint32Array;
}

function shuffledOrder(count: number, seed: number): Uint32Array {
  const order = Uint32Array.from({ length: count }, (_, i) => i);
  const random = seededRandom(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** The windows of a set of pieces every `stride` steps, each inside its piece: window i is found by binary search over prefix sums. */
export class WindowSet implements Windows {
  readonly count: number;
  private readonly prefix: Float64Array;

  constructor(
    readonly dataset: SequenceDataset,
    readonly pieces: readonly number[],
    readonly sequenceLength: number,
    readonly stride: number,
  ) {
    this.prefix = new Float64Array(pieces.length + 1);
    pieces.forEach((p, i) => {
      const windows = Math.floor((dataset.pieceLength(p) - (sequenceLength + 1)) / stride) + 1;
      this.prefix[i + 1] = this.prefix[i]! + Math.max(0, windows);
    });
    this.count = this.prefix[pieces.length]!;
  }

  locate(i: number): { piece: number; offset: number } {
    if (i < 0 || i >= this.count) throw new RangeError(`window ${i} of ${this.count}`);
    let lo = 0;
    let hi = this.pieces.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.prefix[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return { piece: this.pieces[lo]!, offset: (i - this.prefix[lo]!) * this.stride };
  }

  /** Step index in the dataset where window i starts. */
  start(i: number): number {
    const { piece, offset } = this.locate(i);
    return this.dataset.offsets[piece]! + offset;
  }

  shuffled(seed: number): Uint32Array {
    return shuffledOrder(this.count, seed);
  }

  /** Inputs and next-step targets of token windows (see `tokenBatch`). */
  tokenBatch(windows: ArrayLike<number>, transpositions?: { table: TranspositionTable; shifts: ArrayLike<number> }): { x: Int32Array; y: Int32Array } {
    return tokenBatch(this, windows, transpositions);
  }
}

/**
 * One epoch's windows tiling each piece, so every step is a target once an epoch: the tiling
 * starts `shift` steps before the piece (a seeded random shift a piece, 0 for validation), so the
 * cut points move from epoch to epoch. Token windows that start before the piece read the start
 * mark and padding there (`padded`); other representations tile inside the piece.
 */
export class TiledWindows implements Windows {
  readonly count: number;
  private readonly piece: Int32Array;
  private readonly offset: Int32Array;

  constructor(
    readonly dataset: SequenceDataset,
    pieces: readonly number[],
    readonly sequenceLength: number,
    options: { seed: number | null; padded: boolean },
  ) {
    const L = sequenceLength;
    const random = options.seed === null ? () => 0 : seededRandom(options.seed);
    const piece: number[] = [];
    const offset: number[] = [];
    for (const p of pieces) {
      const n = this.dataset.pieceLength(p);
      const shift = Math.floor(random() * L);
      if (options.padded) {
        // Targets are steps 0 … n−1 (step 0 follows the start mark); windows begin at −shift − 1 + kL.
        for (let start = -shift - 1; start < n - 1; start += L) {
          piece.push(p);
          offset.push(start);
        }
      } else {
        for (let start = Math.min(shift, Math.max(0, n - (L + 1))); start + L + 1 <= n; start += L) {
          piece.push(p);
          offset.push(start);
        }
      }
    }
    this.piece = Int32Array.from(piece);
    this.offset = Int32Array.from(offset);
    this.count = piece.length;
  }

  locate(i: number): { piece: number; offset: number } {
    if (i < 0 || i >= this.count) throw new RangeError(`window ${i} of ${this.count}`);
    return { piece: this.piece[i]!, offset: this.offset[i]! };
  }

  shuffled(seed: number): Uint32Array {
    return shuffledOrder(this.count, seed);
  }
}

/**
 * Inputs and next-step targets of token windows, batch-major: x[b][t] and y[b][t] = x[b][t+1].
 * Before a piece x reads the start mark (step −1) and padding, past its end padding; a target
 * there is NO_TARGET. `transpositions` (a semitone shift per window) applies a transposition table.
 */
export function tokenBatch(windows: Windows, ids: ArrayLike<number>, transpositions?: { table: TranspositionTable; shifts: ArrayLike<number> }): { x: Int32Array; y: Int32Array } {
  const dataset = windows.dataset;
  if (dataset.representation !== 'tokens') throw new Error('tokenBatch needs a token vocabulary');
  const data = dataset.data as Int32Array;
  const n = windows.sequenceLength;
  const x = new Int32Array(ids.length * n);
  const y = new Int32Array(ids.length * n);
  for (let b = 0; b < ids.length; b++) {
    const { piece, offset } = windows.locate(ids[b]!);
    const first = dataset.offsets[piece]!;
    const length = dataset.pieceLength(piece);
    const from = Math.max(0, offset);
    const map = transpositions?.table.mapFor(data, first + from, Math.min(length, offset + n + 1) - from, transpositions.shifts[b] ?? 0);
    const at = (k: number): number => {
      if (k < -1 || k >= length) return PAD_ID;
      if (k === -1) return BOS_ID;
      const id = data[first + k]!;
      return map ? map[id]! : id;
    };
    for (let t = 0; t < n; t++) {
      const k = offset + t;
      x[b * n + t] = at(k);
      y[b * n + t] = k + 1 >= 0 && k + 1 < length ? at(k + 1) : NO_TARGET;
    }
  }
  return { x, y };
}

/**
 * Token-id maps for transposing by −range…+range semitones. A window whose transposed tokens would
 * leave the vocabulary (or the MIDI range) is used untransposed.
 */
export class TranspositionTable {
  private readonly maps = new Map<number, Int32Array>();

  constructor(tokens: readonly string[], encodingKind: string, params: Record<string, ParamValue>, readonly range: number) {
    const encoding = encodingOf(encodingKind);
    if (!encoding.transpose) throw new EtudeError('invalid_input', `${encodingKind} has no pitch tokens to transpose`);
    const index = new Map(tokens.map((t, i) => [t, i]));
    for (let k = -range; k <= range; k++) {
      if (k === 0) continue;
      const map = new Int32Array(tokens.length);
      tokens.forEach((token, id) => {
        if (token.startsWith('<')) {
          map[id] = id; // special tokens (<pad>, <unk>, …) stay what they are
          return;
        }
        const moved = encoding.transpose!(token, k, params);
        map[id] = moved === null ? -1 : (index.get(moved) ?? -1);
      });
      this.maps.set(k, map);
    }
  }

  /** The map for shift k if every token of the window survives it; null to leave the window as it is. */
  mapFor(data: Int32Array, start: number, length: number, k: number): Int32Array | null {
    if (k === 0) return null;
    const map = this.maps.get(k);
    if (!map) return null;
    for (let i = start; i < start + length; i++) if (map[data[i]!] === -1) return null;
    return map;
  }
}

/**
 * Inputs and next-step targets of feature windows (pitch, step, duration), batch-major:
 * x[b][t] = step t of the window, y[b][t] = step t + 1. A shift transposes the pitch column.
 */
export function featureBatch(windows: Windows, ids: ArrayLike<number>, shifts?: ArrayLike<number>): { x: Float32Array; y: Float32Array } {
  const dataset = windows.dataset;
  if (dataset.representation !== 'features') throw new Error('featureBatch needs a feature encoding');
  const data = dataset.data as Float32Array;
  const w = dataset.width;
  const n = windows.sequenceLength;
  const x = new Float32Array(ids.length * n * w);
  const y = new Float32Array(ids.length * n * w);
  for (let b = 0; b < ids.length; b++) {
    const window = windows.locate(ids[b]!);
    const start = (dataset.offsets[window.piece]! + window.offset) * w;
    let shift = shifts?.[b] ?? 0;
    if (shift !== 0) {
      // Only when every pitch of the window stays in the MIDI range.
      for (let t = 0; t <= n; t++) {
        const p = data[start + t * w]! + shift;
        if (p < 0 || p > 127) shift = 0;
      }
    }
    x.set(data.subarray(start, start + n * w), b * n * w);
    y.set(data.subarray(start + w, start + (n + 1) * w), b * n * w);
    if (shift !== 0) {
      for (let t = 0; t < n; t++) {
        x[(b * n + t) * w] = x[(b * n + t) * w]! + shift;
        y[(b * n + t) * w] = y[(b * n + t) * w]! + shift;
      }
    }
  }
  return { x, y };
}

/** Binary windows (piano-roll rows) as floats, each window flattened: [batch, length·width]. */
export function binaryBatch(windows: Windows, ids: ArrayLike<number>): Float32Array {
  const dataset = windows.dataset;
  if (dataset.representation !== 'binary') throw new Error('binaryBatch needs a piano-roll encoding');
  const data = dataset.data as Uint8Array;
  const size = windows.sequenceLength * dataset.width;
  const x = new Float32Array(ids.length * size);
  for (let b = 0; b < ids.length; b++) {
    const window = windows.locate(ids[b]!);
    const start = (dataset.offsets[window.piece]! + window.offset) * dataset.width;
    for (let i = 0; i < size; i++) x[b * size + i] = data[start + i]!;
  }
  return x;
}
