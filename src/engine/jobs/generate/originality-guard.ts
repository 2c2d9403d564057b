/**
 * Originality enforced at sampling: a take whose continuation repeats a passage of the model's
 * corpus for more than k bars (any key, same rhythm) is cut back to the bar where the copy began
 * and sampled again from there, with another seed, a few times at most; the notices say how often.
 */
import type { GeneratedNote, LengthSpec, Take } from '../../../shared/generation';
import { barStarts } from '../../../shared/music/bars';
import { cutPassage, type Passage } from '../../../shared/music/passage';
import { TempoMap } from '../../../shared/music/tempo-map';
import { barTicksAt } from '../../fidelity/excerpts';
import type { CorpusIndex } from '../../originality/corpus-index';
import { corpusIndexFor } from '../../originality/index-cache';
import { longestMatchBars } from '../../originality/match-bars';
import type { Store } from '../../store/store';

/** Tries a take gets before it is kept as it is (and said so). */
export const MAX_RESAMPLES = 4;

/** Samples one take of `length` after `passage` with this seed. */
export type Resample = (passage: Passage, length: LengthSpec, seed: number) => Promise<Take>;

/** The length left from `tick` to where the take must end, in the unit it was asked in. */
function remaining(passage: Passage, length: LengthSpec, tick: number): LengthSpec | null {
  if (length.unit === 'bars') {
    const bars = Math.ceil(length.value);
    const starts = barStarts(passage.timeSignatures, passage.ppq, passage.endTick + (bars + 1) * 64 * passage.ppq);
    const seamBar = starts.findIndex((t) => t >= passage.endTick);
    const at = starts.findIndex((t) => t >= tick);
    const left = seamBar + bars - at;
    return left > 0 ? { unit: 'bars', value: left } : null;
  }
  if (length.unit === 'seconds') {
    const map = new TempoMap(passage.ppq, passage.tempos);
    const left = map.toSeconds(passage.endTick) + length.value - map.toSeconds(tick);
    return left > 0.05 ? { unit: 'seconds', value: left } : null;
  }
  return null;
}

export async function enforceOriginality(
  takes: readonly Take[],
  passage: Passage,
  length: LengthSpec,
  maxCopyBars: number,
  index: CorpusIndex,
  corpusName: string,
  seed: number,
  resample: Resample,
): Promise<{ takes: Take[]; notices: string[]; resamples: number }> {
  if (length.unit === 'tokens') return { takes: [...takes], notices: [`takes counted in tokens are not checked for copies of "${corpusName}": ask for a length in bars or seconds`], resamples: 0 };
  const seam = passage.endTick;
  const barTicks = barTicksAt(passage.timeSignatures, passage.ppq, seam);
  const out: Take[] = [];
  let resamples = 0;
  let resampledTakes = 0;
  const stubborn: string[] = [];
  for (const original of takes) {
    let take = original;
    for (let attempt = 1; ; attempt++) {
      const continuation = take.notes.filter((n) => n.startTick >= seam);
      const match = longestMatchBars(index, continuation, passage.ppq, barTicks);
      if (match.bars <= maxCopyBars || match.startTick === null) break;
      if (attempt > MAX_RESAMPLES) {
        stubborn.push(`take ${take.index + 1} (${match.bars.toFixed(1)} bars)`);
        break;
      }
      // Back off to the bar line where the copy began (never into the passage) and sample the rest again.
      const copyStart = match.startTick;
      const starts = barStarts(passage.timeSignatures, passage.ppq, copyStart + 1);
      const backTo = Math.max(seam, starts.findLast((t) => t <= copyStart) ?? seam);
      const rest = remaining(passage, length, backTo);
      if (!rest) break;
      const prefix = cutPassage({ ...passage, notes: take.notes as GeneratedNote[] }, 0, backTo, passage.label);
      const again = await resample(prefix, rest, (seed + 7919 * attempt + 104_729 * take.index) % 2 ** 31);
      if (attempt === 1) resampledTakes++;
      resamples++;
      take = { ...again, index: take.index, seamTick: seam, seamSec: original.seamSec, tokens: take.tokens + again.tokens };
    }
    out.push(take);
  }
  const notices: string[] = [];
  if (resamples > 0) {
    notices.push(
      `${resampledTakes} take${resampledTakes === 1 ? '' : 's'} began to copy more than ${maxCopyBars} bars of "${corpusName}" and ${resampledTakes === 1 ? 'was' : 'were'} sampled again from the bar where the copy began (${resamples} time${resamples === 1 ? '' : 's'})`,
    );
  }
  if (stubborn.length > 0) notices.push(`still copying more than ${maxCopyBars} bars after ${MAX_RESAMPLES} tries: ${stubborn.join(', ')}`);
  return { takes: out, notices, resamples };
}

/** The generation job's guard: the model's own corpus, when it has one and the setting asks. */
export async function guardTakes(
  store: Store,
  corpusId: number | null,
  takes: Take[],
  passage: Passage,
  options: { length: LengthSpec; seed: number; maxCopyBars?: number },
  resample: Resample,
): Promise<{ takes: Take[]; notices: string[] }> {
  const k = options.maxCopyBars ?? 0; // generations stored before the setting existed allowed quotations
  if (k <= 0 || corpusId === null || !store.corpora.byId(corpusId)) return { takes, notices: [] };
  const index = corpusIndexFor(store, corpusId);
  return enforceOriginality(takes, passage, options.length, k, index, store.corpora.summary(corpusId).name, options.seed, resample);
}
