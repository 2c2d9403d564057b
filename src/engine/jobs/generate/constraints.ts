/**
 * Sampling-time constraints for any model: masks (−∞) and one tilt on the output distribution,
 * built from what each token means (its pitches, its rhythmic slot). Training knows nothing of
 * them, so a musician can ask any trained model for a key, a range, a density or a rhythm.
 */
import { SCALES, type Constraints } from '../../../shared/generation';
import type { TokenInfo } from '../../encode/types';

export function pitchAllowed(pitch: number, c: Constraints): boolean {
  if (c.pitchRange && (pitch < c.pitchRange[0] || pitch > c.pitchRange[1])) return false;
  if (c.key) {
    const degree = (((pitch - c.key.tonic) % 12) + 12) % 12;
    if (!(SCALES[c.key.scale] as readonly number[]).includes(degree)) return false;
  }
  return true;
}

/** Per-pitch bias for a 128-way pitch head (the pitch/step/duration model). */
export function pitchBias(c: Constraints): Float32Array {
  return Float32Array.from({ length: 128 }, (_, p) => (pitchAllowed(p, c) ? 0 : -Infinity));
}

export interface TokenBias {
  bias: Float32Array;
  notices: string[];
}

/**
 * The additive bias over a vocabulary: special tokens never sampled; tokens sounding a pitch
 * outside the key or range masked; tokens that sound notes tilted by log(density); with the rhythm
 * lock, rhythmic tokens (grid positions, lengths) limited to those the primer used.
 */
export function tokenBias(
  tokens: readonly string[],
  infoOf: ((token: string) => TokenInfo) | null,
  c: Constraints,
  primerTokens: readonly string[],
  encodingTitle: string,
): TokenBias {
  const notices: string[] = [];
  const bias = new Float32Array(tokens.length);
  const wantsPitch = c.key !== undefined || c.pitchRange !== undefined;
  const tilt = c.density !== undefined && c.density !== 1 ? Math.log(c.density) : 0;
  if (!infoOf && (wantsPitch || tilt !== 0 || c.rhythmLock)) notices.push(`${encodingTitle} tokens carry no pitch or rhythm the constraints can read: they were not applied`);
  const infos = infoOf ? tokens.map((t) => (t.startsWith('<') ? null : infoOf(t))) : null;
  let rhythms: Set<string> | null = null;
  if (c.rhythmLock && infoOf) {
    rhythms = new Set(primerTokens.map((t) => infoOf(t).rhythm).filter((r): r is string => r !== null));
    if (rhythms.size === 0) {
      notices.push(
        primerTokens.length === 0
          ? 'the rhythm lock needs a passage to take its rhythm from: not applied'
          : `${encodingTitle} tokens carry no rhythmic choice (the encoding fixes the rhythm): the rhythm lock changes nothing`,
      );
      rhythms = null;
    }
  }
  tokens.forEach((token, id) => {
    if (token.startsWith('<')) {
      bias[id] = -Infinity; // <pad>, <unk>, <bos>, <eos>: never music
      return;
    }
    const info = infos?.[id];
    if (!info) return;
    if (wantsPitch && info.pitches.some((p) => !pitchAllowed(p, c))) bias[id] = -Infinity;
    else if (rhythms && info.rhythm !== null && !rhythms.has(info.rhythm)) bias[id] = -Infinity;
    else if (tilt !== 0 && info.pitches.length > 0) bias[id] = tilt;
  });
  const allowed = bias.filter((b) => b > -Infinity).length;
  if (allowed === 0) notices.push('the constraints leave no token the model knows: they were relaxed');
  return { bias, notices };
}

/** Snaps a value to the nearest of a sorted list (the rhythm lock for continuous timing). */
export function nearest(sorted: readonly number[], value: number): number {
  let best = sorted[0]!;
  for (const v of sorted) if (Math.abs(v - value) < Math.abs(best - value)) best = v;
  return best;
}
