import { createHash } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { EncodingKind, ParamValue, RoundTripReport, VocabularySummary } from '../../shared/encoding';
import { EtudeError } from '../../shared/errors';
import type { Store } from '../store/store';
import { describeRule } from '../../shared/music/tracks';
import { encodingOf, parseParams } from './registry';
import { addReports, compareNotes } from './round-trip';

export const SPECIAL_TOKENS = ['<pad>', '<unk>', '<bos>', '<eos>'] as const;
export const PAD = 0;
export const UNK = 1;
export const BOS = 2;
export const EOS = 3;

export const DEFAULT_MAX_SIZE = 50_000;
/** Coverage below this makes the report warn: the model would see <unk> too often to learn well. */
export const LOW_COVERAGE = 0.95;

export interface BuildOptions {
  corpusId: number;
  encoding: string;
  params?: Record<string, ParamValue>;
  minCount?: number;
  maxSize?: number;
  /** Build again even if an identical vocabulary exists. */
  rebuild?: boolean;
  /**
   * Keep this token table (a model's, when fine-tuning it on this corpus) at its ids, and append
   * the corpus's tokens it lacks after it: the model's embedding and output rows keep their meaning.
   */
  extend?: string[];
  onProgress?: (done: number, total: number) => void;
}

function canonical(value: Record<string, ParamValue>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b))));
}

/**
 * Encodes every piece of a corpus (the tracks its rule selects), builds the token table (most
 * frequent first, special tokens at 0–3), stores both, and reports size, coverage and the
 * encoding's round-trip error. One encoding pass: tokens get provisional ids as they appear
 * (4 bytes a step, never the corpus's token strings), remapped once the vocabulary is known.
 * An identical build (same encoding, parameters, limits, rule and pieces) is reused.
 */
export async function buildVocabulary(store: Store, options: BuildOptions): Promise<VocabularySummary> {
  const started = performance.now();
  const corpus = store.corpora.require(options.corpusId);
  const encoding = encodingOf(options.encoding);
  const params = parseParams(options.encoding, options.params ?? {});
  const minCount = options.minCount ?? 1;
  const maxSize = options.maxSize ?? DEFAULT_MAX_SIZE;
  if (!Number.isInteger(minCount) || minCount < 1) throw new EtudeError('invalid_input', 'minCount must be a whole number of at least 1');
  if (!Number.isInteger(maxSize) || maxSize < SPECIAL_TOKENS.length + 1) {
    throw new EtudeError('invalid_input', `maxSize must be at least ${SPECIAL_TOKENS.length + 1} (the ${SPECIAL_TOKENS.length} special tokens and one more)`);
  }

  const hashes = store.corpora.contentHashes(corpus.id);
  if (hashes.length === 0) throw new EtudeError('invalid_input', `corpus "${corpus.name}" is empty: import some music into it first`);
  const fingerprint = createHash('sha256')
    .update(canonical({ encoding: options.encoding, version: encoding.info.version, minCount, maxSize }))
    .update(canonical(params))
    .update(JSON.stringify(corpus.trackRule))
    .update(hashes.join(','))
    .update(options.extend ? `extend:${createHash('sha256').update(options.extend.join('\u0000')).digest('hex')}` : '')
    .digest('hex');
  const corpusHash = createHash('sha256').update(hashes.join(',')).digest('hex');
  if (!options.rebuild) {
    const existing = store.vocabularies.byFingerprint(fingerprint);
    if (existing) return existing;
  }

  const provisional = new Map<string, number>();
  const counts: number[] = [];
  const encodedPieces: { pieceId: number; title: string; steps: number; data: Int32Array | Float32Array | Uint8Array }[] = [];
  let roundTrip: RoundTripReport = { notes: 0, exact: 0, durationChanged: 0, lost: 0, added: 0, error: 0 };
  let width = 1;
  let noNotes = 0;
  let done = 0;
  const total = hashes.length;

  for (const { pieceId, title, piece } of store.corpora.iterateEncodable(corpus.id)) {
    done++;
    if (piece.notes.length === 0) {
      noNotes++;
      continue;
    }
    const encoded = encoding.encode(piece, params);
    roundTrip = addReports(roundTrip, compareNotes(piece.notes, encoding.decode(encoded, params, piece)));
    if (encoded.representation === 'tokens') {
      const ids = new Int32Array(encoded.tokens.length);
      encoded.tokens.forEach((token, i) => {
        let id = provisional.get(token);
        if (id === undefined) {
          id = counts.length;
          provisional.set(token, id);
          counts.push(0);
        }
        counts[id]!++;
        ids[i] = id;
      });
      if (ids.length > 0) encodedPieces.push({ pieceId, title, steps: ids.length, data: ids });
    } else {
      width = encoded.width;
      const steps = encoded.data.length / encoded.width;
      if (steps > 0) encodedPieces.push({ pieceId, title, steps, data: encoded.data });
    }
    if (done % 25 === 0) {
      options.onProgress?.(done, total);
      await yieldToLoop();
    }
  }
  options.onProgress?.(done, total);

  if (encodedPieces.length === 0) {
    throw new EtudeError(
      'invalid_input',
      `nothing to encode in "${corpus.name}": no piece has notes in the tracks its rule takes (${describeRule(corpus.trackRule)})` +
        (noNotes > 0 ? `; ${noNotes} piece${noNotes === 1 ? '' : 's'} without such notes (drums only, or other instruments)` : ''),
    );
  }

  const warnings: string[] = [];
  if (noNotes > 0) warnings.push(`${noNotes} piece${noNotes === 1 ? ' has' : 's have'} no notes in the tracks the rule takes, and ${noNotes === 1 ? 'is' : 'are'} left out.`);
  let tokens: { token: string; count: number }[] = [];
  let coverage = 1;
  let steps = 0;
  const stored: { pieceId: number; title: string; steps: number; data: Uint8Array }[] = [];

  if (encoding.info.representation === 'tokens') {
    const all = [...provisional.entries()].map(([token, id]) => ({ token, id, count: counts[id]! }));
    const base = options.extend ?? [...SPECIAL_TOKENS];
    const baseIds = new Map(base.map((token, i) => [token, i]));
    const eligible = all
      .filter((t) => t.count >= minCount && !baseIds.has(t.token))
      .sort((a, b) => b.count - a.count || (a.token < b.token ? -1 : 1));
    const room = Math.max(0, maxSize - base.length);
    const kept = eligible.slice(0, room);
    const totalCount = counts.reduce((a, b) => a + b, 0);
    const inBase = all.filter((t) => baseIds.has(t.token) && !(SPECIAL_TOKENS as readonly string[]).includes(t.token));
    const keptCount = kept.reduce((a, t) => a + t.count, 0) + inBase.reduce((a, t) => a + t.count, 0);
    coverage = totalCount === 0 ? 1 : keptCount / totalCount;
    if (eligible.length > room) {
      warnings.push(
        `The vocabulary would hold ${(eligible.length + SPECIAL_TOKENS.length).toLocaleString('en')} tokens, over its limit of ${maxSize.toLocaleString('en')}: ` +
          `kept the ${room.toLocaleString('en')} most frequent, covering ${(coverage * 100).toFixed(1)}% of the corpus. Raise maxSize, or minCount to drop rare tokens on purpose.`,
      );
    }
    if (coverage < LOW_COVERAGE) {
      warnings.push(`Only ${(coverage * 100).toFixed(1)}% of the corpus is in the vocabulary; the rest becomes <unk>, which the model cannot play. Consider coarser parameters.`);
    }
    const baseCounts = new Map(inBase.map((t) => [t.token, t.count]));
    tokens = [...base.map((token) => ({ token, count: baseCounts.get(token) ?? 0 })), ...kept.map((t) => ({ token: t.token, count: t.count }))];
    const remap = new Int32Array(counts.length).fill(UNK);
    for (const t of inBase) remap[t.id] = baseIds.get(t.token)!;
    kept.forEach((t, i) => (remap[t.id] = base.length + i));
    const unkCount = totalCount - keptCount;
    if (tokens[UNK]?.token === SPECIAL_TOKENS[UNK]) tokens[UNK]!.count = unkCount;
    for (const piece of encodedPieces) {
      const ids = piece.data as Int32Array;
      for (let i = 0; i < ids.length; i++) ids[i] = remap[ids[i]!]!;
      steps += ids.length;
      stored.push({ ...piece, data: new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength) });
    }
  } else {
    for (const piece of encodedPieces) {
      steps += piece.steps;
      stored.push({ ...piece, data: new Uint8Array(piece.data.buffer, piece.data.byteOffset, piece.data.byteLength) });
    }
  }

  const id = store.vocabularies.insert({
    corpusId: corpus.id,
    corpusName: corpus.name,
    fingerprint,
    corpusHash,
    encoding: options.encoding as EncodingKind,
    encodingVersion: encoding.info.version,
    params,
    representation: encoding.info.representation,
    width: encoding.info.representation === 'tokens' ? 1 : width,
    minCount,
    maxSize,
    coverage,
    steps,
    roundTrip,
    warnings,
    seconds: Math.round(performance.now() - started) / 1000,
    tokens,
    pieces: stored,
  });
  return store.vocabularies.get(id);
}
