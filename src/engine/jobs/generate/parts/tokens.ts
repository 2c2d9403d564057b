/** Token models: the passage encoded in the model's vocabulary, the state carried forward, each token sampled under the constraints. */
import type { Passage } from '../../../../shared/music/passage';
import { seededRandom } from '../../../../shared/random';
import { seedFor } from '../../../models/init';
import type { TokenGenerator } from '../../../models/types';
import { BOS } from '../../../encode/build-vocabulary';
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
  let logits: Float32Array = new Float32Array(0);
  try {
    // Prime: every take reads the same passage. Without one, a model that learned pieces from their
    // start mark starts there; another starts each take from a token drawn as often as the corpus has it.
    if (primer.tokens.length > 0) {
      for (let i = 0; i < primer.tokens.length; i++) {
        const id = ids.get(primer.tokens[i]!)!;
        for (const g of grammars) g?.advance(id);
        logits = stepper.step(new Int32Array(V).fill(id));
        if (i % 64 === 63) await breathe();
      }
    } else if (options.startMark) {
      logits = stepper.step(new Int32Array(V).fill(BOS));
    } else {
      const first = Int32Array.from(randoms, (random, v) => drawByCount(vocab.counts, biasFor(v), random));
      first.forEach((id, v) => {
        generated[v]!.push(id);
        grammars[v]?.advance(id);
      });
      logits = stepper.step(first);
    }
  } catch (err) {
    stepper.dispose();
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
      logits = stepper.step(next);
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
    dispose: () => stepper.dispose(),
  };
}
