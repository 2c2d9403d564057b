/**
 * Continuing a passage with a trained model: one loop for every representation. The passage is
 * encoded as the model's vocabulary has it and fed to the model once (recurrent state or KV cache
 * carried forward); then each round samples every take's next step under the constraints, until
 * every take reaches its length. Runs wherever the TF runtime lives: a worker for the studio, the
 * trainer for auditions.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { EtudeError } from '../../../shared/errors';
import type { Constraints, LengthSpec, Take } from '../../../shared/generation';
import type { Passage } from '../../../shared/music/passage';
import { isFeatureGenerator, isRowGenerator, isTokenGenerator, type TokenGenerator, type TrainableModel } from '../../models/types';
import { planOf, takeOf, type Plan, type VocabularyContext } from './decoding';
import { featurePart } from './parts/features';
import type { ContinuationPart } from './parts/part';
import { rowPart } from './parts/rows';
import { tokenPart } from './parts/tokens';
import type { SamplingOptions } from './sampling';

export type { VocabularyContext };

export interface ContinueOptions extends SamplingOptions {
  length: LengthSpec;
  variations: number;
  seed: number;
  constraints: Constraints;
  /** The training window: how much context a window-reading model sees. */
  window: number;
  /** RBM: Gibbs rounds a generated window. */
  gibbsSteps?: number;
  /** Token models that learned pieces from their start mark: a take from nothing starts there. */
  startMark?: boolean;
  /** A second token model (a personalised model's base) whose next-step distribution is mixed in with this weight. */
  blend?: { model: TokenGenerator; vocabSize: number; weight: number };
}

export interface ContinueHooks {
  /** Called now and then with the takes so far (`takes` at most every `previewMs`). */
  progress?(done: number, total: number, takes: Take[] | null): void;
  cancelled?(): boolean;
  /** The musician asked to stop and keep the takes as far as they got. */
  stopped?(): boolean;
  previewMs?: number;
}

export class GenerationCancelled extends EtudeError {
  constructor() {
    super('cancelled', 'the generation was cancelled; nothing was stored');
  }
}

/** Rounds between checks for a cancel and a chance for messages to get in. */
const BREATHE_EVERY = 8;

async function partFor(model: TrainableModel, vocab: VocabularyContext, passage: Passage, options: ContinueOptions, plan: Plan, hooks: ContinueHooks): Promise<ContinuationPart> {
  const breathe = async () => {
    if (hooks.cancelled?.()) throw new GenerationCancelled();
    await yieldToLoop();
  };
  if (vocab.representation === 'tokens' && isTokenGenerator(model)) return tokenPart(model, vocab, passage, options, plan, breathe);
  if (vocab.representation === 'features' && isFeatureGenerator(model)) return featurePart(model, vocab, passage, options, plan);
  if (vocab.representation === 'binary' && isRowGenerator(model)) return rowPart(model, vocab, passage, options, plan);
  throw new EtudeError('invalid_input', `this model cannot generate ${vocab.representation === 'binary' ? 'piano-roll rows' : vocab.representation}`);
}

export async function continuePassage(
  model: TrainableModel,
  vocab: VocabularyContext,
  passage: Passage,
  options: ContinueOptions,
  hooks: ContinueHooks = {},
): Promise<{ takes: Take[]; notices: string[] }> {
  const plan = planOf(passage, vocab, options.length);
  const V = options.variations;
  const part = await partFor(model, vocab, passage, options, plan, hooks);
  const takes = (withNotes: boolean) => Array.from({ length: V }, (_, v) => takeOf(v, passage, withNotes ? part.decode(v) : null, part.steps(v), plan));
  try {
    // The passage is playable at once, before the first step is sampled.
    hooks.progress?.(0, plan.budget, takes(false));
    const finished = new Array<boolean>(V).fill(false);
    let lastPreview = performance.now();
    let made = part.primedSteps;
    let stoppedEarly = false;
    for (let round = 1; made < plan.budget; round++) {
      made += part.round(finished);
      if (plan.target !== null && round % part.checkEvery === 0) {
        for (let v = 0; v < V; v++) if (!finished[v] && part.decode(v).reach >= plan.target) finished[v] = true;
        if (finished.every(Boolean)) break;
      }
      const now = performance.now();
      const previewDue = now - lastPreview > (hooks.previewMs ?? 250);
      if (round % BREATHE_EVERY === 0 || previewDue) {
        if (hooks.cancelled?.()) throw new GenerationCancelled();
        if (hooks.stopped?.()) {
          stoppedEarly = true;
          break;
        }
        hooks.progress?.(Math.min(made, plan.budget), plan.budget, previewDue ? takes(true) : null);
        if (previewDue) lastPreview = now;
        await yieldToLoop();
      }
    }
    const result = takes(true);
    const notices = part.notices();
    if (stoppedEarly) notices.push('stopped early: the takes end where they had got to');
    if (result.every((t) => t.notes.length === passage.notes.length)) notices.push('the model produced no notes in this length: try a longer length or a higher temperature');
    return { takes: result, notices };
  } finally {
    part.dispose();
  }
}
