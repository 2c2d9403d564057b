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

/** The build's identity: an identical build (same encoding, parameters, limits, rule and pieces) is reused. */
function fingerprintOf(options: BuildOptions, version: number, params: Record<string, ParamValue>, minCount: number, maxSize: number, trackRule: unknown, hashes: string[]): string {
  return createHash('sha256')
    .update(canonical({ encoding: options.encoding, version, minCount, maxSize }))
    .update(canonical(params))
    .update(JSON.stringify(trackRule))
    .update(hashes.join(','))
    .update(options.extend ? `extend:${createHash('sha256').update(options.extend.join('\u0000')).digest('hex')}` : '')
    .digest('hex');
}

type EncodedPiece = { pieceId: number; title: string; steps: number; data: Int32Array | Float32Array | Uint8Array };

interface EncodedCorpus {
  pieces: EncodedPiece[];
  /** Token models: each distinct token's provisional id, and how often it occurs. */
  provisional: Map<string, number>;
  counts: number[];
  roundTrip: RoundTripReport;
  width: number;
  noNotes: number;
  /** Pieces with notes that the encoding read as nothing, and why (seed 000's music21 reading). */
  silent: { title: string; notice: string }[];
}

/**
 * One encoding pass over the corpus: tokens get provisional ids as they appear (4 bytes a step,
 * never the corpus's token strings), remapped once the vocabulary is known.
 */
async function encodeCorpus(store: Store, corpusId: number, encoding: ReturnType<typeof encodingOf>, params: Record<string, ParamValue>, total: number, onProgress?: BuildOptions['onProgress']): Promise<EncodedCorpus> {
  const out: EncodedCorpus = { pieces: [], provisional: new Map(), counts: [], roundTrip: { notes: 0, exact: 0, durationChanged: 0, lost: 0, added: 0, error: 0 }, width: 1, noNotes: 0, silent: [] };
  let done = 0;
  for (const { pieceId, title, piece } of store.corpora.iterateEncodable(corpusId)) {
    done++;
    if (piece.notes.length === 0) {
      out.noNotes++;
      continue;
    }
    const encoded = encoding.encode(piece, params);
    if (encoded.representation === 'tokens' && encoded.notice) out.silent.push({ title, notice: encoded.notice });
    out.roundTrip = addReports(out.roundTrip, compareNotes(piece.notes, encoding.decode(encoded, params, piece)));
    if (encoded.representation === 'tokens') {
      const ids = new Int32Array(encoded.tokens.length);
      encoded.tokens.forEach((token, i) => {
        let id = out.provisional.get(token);
        if (id === undefined) {
          id = out.counts.length;
          out.provisional.set(token, id);
          out.counts.push(0);
        }
        out.counts[id]!++;
        ids[i] = id;
      });
      if (ids.length > 0) out.pieces.push({ pieceId, title, steps: ids.length, data: ids });
    } else {
      out.width = encoded.width;
      const steps = encoded.data.length / encoded.width;
      if (steps > 0) out.pieces.push({ pieceId, title, steps, data: encoded.data });
    }
    if (done % 25 === 0) {
      onProgress?.(done, total);
      await yieldToLoop();
    }
  }
  onProgress?.(done, total);
  return out;
}

/** One warning per reason a piece gave no tokens, naming a few of the pieces. */
function silentWarnings(silent: readonly { title: string; notice: string }[]): string[] {
  const byNotice = new Map<string, string[]>();
  for (const s of silent) byNotice.set(s.notice, [...(byNotice.get(s.notice) ?? []), s.title]);
  return [...byNotice].map(([notice, titles]) => {
    const named = titles.slice(0, 3).map((t) => `"${t}"`).join(', ') + (titles.length > 3 ? ` and ${titles.length - 3} more` : '');
    return `${titles.length} piece${titles.length === 1 ? ' gives' : 's give'} no tokens as seed 000 read MIDI, and ${titles.length === 1 ? 'is' : 'are'} left out: ${notice} (${named}).`;
  });
}

/**
 * The token table: the base (special tokens and the encoding's alphabet, or the table being
 * extended) at its ids, then the
 * corpus's tokens most frequent first up to the size limit; the rest become <unk>. Remaps the
 * encoded pieces in place and reports coverage and warnings.
 */
function tokenTable(
  corpus: EncodedCorpus,
  base: string[],
  minCount: number,
  maxSize: number,
  warnings: string[],
): { tokens: { token: string; count: number }[]; coverage: number } {
  const { provisional, counts } = corpus;
  const all = [...provisional.entries()].map(([token, id]) => ({ token, id, count: counts[id]! }));
  const baseIds = new Map(base.map((token, i) => [token, i]));
  const eligible = all.filter((t) => t.count >= minCount && !baseIds.has(t.token)).sort((a, b) => b.count - a.count || (a.token < b.token ? -1 : 1));
  const room = Math.max(0, maxSize - base.length);
  const kept = eligible.slice(0, room);
  const totalCount = counts.reduce((a, b) => a + b, 0);
  const inBase = all.filter((t) => baseIds.has(t.token) && !(SPECIAL_TOKENS as readonly string[]).includes(t.token));
  const keptCount = kept.reduce((a, t) => a + t.count, 0) + inBase.reduce((a, t) => a + t.count, 0);
  const coverage = totalCount === 0 ? 1 : keptCount / totalCount;
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
  const tokens = [...base.map((token) => ({ token, count: baseCounts.get(token) ?? 0 })), ...kept.map((t) => ({ token: t.token, count: t.count }))];
  const remap = new Int32Array(counts.length).fill(UNK);
  for (const t of inBase) remap[t.id] = baseIds.get(t.token)!;
  kept.forEach((t, i) => (remap[t.id] = base.length + i));
  if (tokens[UNK]?.token === SPECIAL_TOKENS[UNK]) tokens[UNK]!.count = totalCount - keptCount;
  for (const piece of corpus.pieces) {
    const ids = piece.data as Int32Array;
    for (let i = 0; i < ids.length; i++) ids[i] = remap[ids[i]!]!;
  }
  return { tokens, coverage };
}

/**
 * Encodes every piece of a corpus (the tracks its rule selects), builds the token table (most
 * frequent first, special tokens at 0–3), stores both, and reports size, coverage and the
 * encoding's round-trip error. An identical build is reused.
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
  const fingerprint = fingerprintOf(options, encoding.info.version, params, minCount, maxSize, corpus.trackRule, hashes);
  if (!options.rebuild) {
    const existing = store.vocabularies.byFingerprint(fingerprint);
    if (existing) return existing;
  }

  const encoded = await encodeCorpus(store, corpus.id, encoding, params, hashes.length, options.onProgress);
  if (encoded.pieces.length === 0) {
    throw new EtudeError(
      'invalid_input',
      encoded.silent.length > 0
        ? `nothing to encode in "${corpus.name}": read as seed 000 read it, no piece gives a token (${encoded.silent[0]!.notice})`
        : `nothing to encode in "${corpus.name}": no piece has notes in the tracks its rule takes (${describeRule(corpus.trackRule)})` +
            (encoded.noNotes > 0 ? `; ${encoded.noNotes} piece${encoded.noNotes === 1 ? '' : 's'} without such notes (drums only, or other instruments)` : ''),
    );
  }
  const warnings: string[] = silentWarnings(encoded.silent);
  if (encoded.noNotes > 0) warnings.push(`${encoded.noNotes} piece${encoded.noNotes === 1 ? ' has' : 's have'} no notes in the tracks the rule takes, and ${encoded.noNotes === 1 ? 'is' : 'are'} left out.`);
  const base = options.extend ?? [...SPECIAL_TOKENS, ...(encoding.alphabet?.(params) ?? [])];
  const tokens = encoding.info.representation === 'tokens' ? tokenTable(encoded, base, minCount, maxSize, warnings) : { tokens: [], coverage: 1 };
  const stored = encoded.pieces.map((piece) => ({ ...piece, data: new Uint8Array(piece.data.buffer, piece.data.byteOffset, piece.data.byteLength) }));

  const id = store.vocabularies.insert({
    corpusId: corpus.id,
    corpusName: corpus.name,
    fingerprint,
    corpusHash: createHash('sha256').update(hashes.join(',')).digest('hex'),
    encoding: options.encoding as EncodingKind,
    encodingVersion: encoding.info.version,
    params,
    representation: encoding.info.representation,
    width: encoding.info.representation === 'tokens' ? 1 : encoded.width,
    minCount,
    maxSize,
    coverage: tokens.coverage,
    steps: encoded.pieces.reduce((n, p) => n + p.steps, 0),
    roundTrip: encoded.roundTrip,
    warnings,
    seconds: Math.round(performance.now() - started) / 1000,
    tokens: tokens.tokens,
    pieces: stored,
  });
  return store.vocabularies.get(id);
}
