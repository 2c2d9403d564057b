/** Token models: the passage encoded in the model's vocabulary, the state carried forward, each token sampled under the constraints. */
import type { Passage } from '../../../../shared/music/passage';
import { seededRandom } from '../../../../shared/random';
import { seedFor } from '../../../models/init';
import type { TokenGenerator } from '../../../models/types';
import { BOS, UNK } from '../../../encode/build-vocabulary';
import { tokenBias } from '../constraints';
import { continuationNotes, noteKey, passageAsEncodable, passageProgram, type Plan, type VocabularyContext } from '../decoding';
import { sampleIndex } from '../sampling';
import type { ContinueOptions } from '../continue';
import type { Breather, ContinuationPart } from './part';

/** The passage as the vocabulary's tokens: a token it lacks becomes the same one an octave or two away, else is left out. */
function primerTokens(passage: Passage, vocab: VocabularyContext, plan: Plan, ids: Map<string, number>): { tokens: string[]; notice: string | null } {
  const encoded = passage.notes.length > 0 ? plan.encoding.encode(passageAsEncodable(passage), vocab.params) : { representation: 'tokens' as const, tokens: [] };
  if (encoded.representation !== 'tokens') throw new Error(`${vocab.encoding} does not encode tokens`);
  const tokens: string[] = [];
  let moved = 0;
  let dropped = 0;
  for (const token of encoded.tokens) {
    if (ids.has(token)) {
      tokens.push(token);
      continue;
    }
    const near = [12, -12, 24, -24].map((s) => plan.encoding.transpose?.(token, s, vocab.params) ?? null).find((t) => t !== null && ids.has(t));
    if (near) {
      tokens.push(near);
      moved++;
    } else dropped++;
  }
  if (moved + dropped === 0) return { tokens, notice: null };
  const what = [moved > 0 ? `${moved} played an octave or two away` : '', dropped > 0 ? `${dropped} left out` : ''].filter(Boolean).join(', ');
  return { tokens, notice: `${moved + dropped} of the passage's ${encoded.tokens.length} tokens are not in the model's vocabulary: ${what}` };
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

export async function tokenPart(model: TokenGenerator, vocab: VocabularyContext, passage: Passage, options: ContinueOptions, plan: Plan, breathe: Breather): Promise<ContinuationPart> {
  const { encoding } = plan;
  const ids = new Map(vocab.tokens.map((t, i) => [t, i]));
  const primer = primerTokens(passage, vocab, plan, ids);
  const notices = primer.notice ? [primer.notice] : [];
  const infoOf = encoding.tokenInfo ? (t: string) => encoding.tokenInfo!(t, vocab.params) : null;
  const constraints = tokenBias(vocab.tokens, infoOf, options.constraints, primer.tokens, encoding.info.title);
  notices.push(...constraints.notices);
  const { bias } = constraints;
  const V = options.variations;
  const vocabSize = vocab.tokens.length;
  const randoms = Array.from({ length: V }, (_, v) => seededRandom(seedFor(options.seed, v)));
  const generated: number[][] = Array.from({ length: V }, () => []);
  const primerKeys = new Set(encoding.decode({ representation: 'tokens', tokens: primer.tokens }, vocab.params, plan.context).map(noteKey));
  const clock = encoding.clockAfter?.(primer.tokens, vocab.params, passage.ppq) ?? null;
  const shift = clock === null ? 0 : passage.endTick - clock;
  const program = passageProgram(passage, vocab);
  let relaxed = 0;

  // The encoding's grammar (what may follow what), one per take, so every take is music the encoding can write.
  const grammars = Array.from({ length: V }, () => encoding.grammar?.(vocab.tokens, vocab.params) ?? null);
  const allowed = new Uint8Array(vocabSize);
  const takeBias = new Float32Array(vocabSize);
  const biasFor = (v: number): Float32Array => {
    const grammar = grammars[v];
    if (!grammar) return bias;
    grammar.allowed(allowed);
    for (let i = 0; i < vocabSize; i++) takeBias[i] = allowed[i] ? bias[i]! : -Infinity;
    return takeBias;
  };
  const stepper = model.stepper(V, options.window);
  const blend = options.blend ? blendOf(options.blend, V, vocabSize, options.window) : null;
  let logits: Float32Array = new Float32Array(0);
  try {
    // Prime: every take reads the same passage. Without one, a model that learned pieces from their
    // start mark starts there; another starts each take from a token drawn as often as the corpus has it.
    if (primer.tokens.length > 0) {
      for (let i = 0; i < primer.tokens.length; i++) {
        const id = ids.get(primer.tokens[i]!)!;
        for (const g of grammars) g?.advance(id);
        logits = blend ? blend.mix(stepper.step(new Int32Array(V).fill(id)), new Int32Array(V).fill(id)) : stepper.step(new Int32Array(V).fill(id));
        if (i % 64 === 63) await breathe();
      }
    } else if (options.startMark) {
      const start = new Int32Array(V).fill(BOS);
      logits = blend ? blend.mix(stepper.step(start), start) : stepper.step(start);
    } else {
      const first = Int32Array.from(randoms, (random, v) => drawByCount(vocab.counts, biasFor(v), random));
      first.forEach((id, v) => {
        generated[v]!.push(id);
        grammars[v]?.advance(id);
      });
      logits = blend ? blend.mix(stepper.step(first), first) : stepper.step(first);
    }
  } catch (err) {
    stepper.dispose();
    blend?.dispose();
    throw err;
  }
  return {
    primedSteps: primer.tokens.length > 0 || options.startMark ? 0 : 1,
    checkEvery: 16,
    steps: (v) => generated[v]!.length,
    round(finished) {
      const next = new Int32Array(V);
      for (let v = 0; v < V; v++) {
        const pick = sampleIndex(logits, v * vocabSize, vocabSize, options, randoms[v]!, biasFor(v));
        if (pick.relaxed) relaxed++;
        next[v] = pick.index;
        grammars[v]?.advance(pick.index);
        if (!finished[v]) generated[v]!.push(pick.index);
      }
      logits = blend ? blend.mix(stepper.step(next), next) : stepper.step(next);
      return 1;
    },
    decode: (v) =>
      continuationNotes(
        encoding.decode({ representation: 'tokens', tokens: [...primer.tokens, ...generated[v]!.map((id) => vocab.tokens[id]!)] }, vocab.params, plan.context),
        primerKeys,
        shift,
        plan,
        passage.endTick,
        program,
      ),
    notices: () => (relaxed > 0 ? [...notices, `the constraints allowed no token the model knows at ${relaxed} steps; there they were relaxed`] : notices),
    dispose: () => {
      stepper.dispose();
      blend?.dispose();
    },
  };
}

/**
 * Mixing a base model in: its stepper reads the same tokens (those it lacks as <unk>), and each
 * step's distribution is (1 − w)·p_model + w·p_base, the base's zero on the tokens it lacks
 * (a personalised vocabulary is the base's followed by the tokens it added). Returned as logits.
 */
function blendOf(blend: NonNullable<ContinueOptions['blend']>, rows: number, vocabSize: number, window: number) {
  const stepper = blend.model.stepper(rows, window);
  const w = blend.weight;
  const softmaxInto = (logits: Float32Array, offset: number, n: number, out: Float64Array) => {
    let max = -Infinity;
    for (let i = 0; i < n; i++) max = Math.max(max, logits[offset + i]!);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += out[i] = Math.exp(logits[offset + i]! - max);
    for (let i = 0; i < n; i++) out[i] = out[i]! / sum;
  };
  const a = new Float64Array(vocabSize);
  const b = new Float64Array(blend.vocabSize);
  return {
    mix(own: Float32Array, fed: Int32Array): Float32Array {
      const theirs = stepper.step(Int32Array.from(fed, (id) => (id < blend.vocabSize ? id : UNK)));
      const out = new Float32Array(rows * vocabSize);
      for (let r = 0; r < rows; r++) {
        softmaxInto(own, r * vocabSize, vocabSize, a);
        softmaxInto(theirs, r * blend.vocabSize, blend.vocabSize, b);
        for (let i = 0; i < vocabSize; i++) out[r * vocabSize + i] = Math.log((1 - w) * a[i]! + (i < blend.vocabSize ? w * b[i]! : 0));
      }
      return out;
    },
    dispose: () => stepper.dispose(),
  };
}
