/** Choosing the next token from a model's logits: temperature, top-k, top-p, greedy, and a bias. */

export interface SamplingOptions {
  temperature: number;
  /** 0 = no limit. */
  topK: number;
  /** 1 = no limit. */
  topP: number;
  greedy: boolean;
}

/**
 * Picks one index of `logits[offset … offset+n)`. `bias` is added first (−Infinity masks a token;
 * a finite value tilts it). When the bias masks every token the mask is dropped for this pick
 * (returned as `relaxed`), so a constraint can never stall a generation.
 */
export function sampleIndex(
  logits: Float32Array,
  offset: number,
  n: number,
  options: SamplingOptions,
  random: () => number,
  bias: Float32Array | null = null,
): { index: number; relaxed: boolean } {
  const z = new Float64Array(n);
  let allowed = 0;
  for (let i = 0; i < n; i++) {
    z[i] = logits[offset + i]! + (bias ? bias[i]! : 0);
    if (z[i]! > -Infinity) allowed++;
  }
  let relaxed = false;
  if (allowed === 0) {
    relaxed = true;
    for (let i = 0; i < n; i++) z[i] = logits[offset + i]!;
  }
  if (options.greedy) {
    let best = 0;
    for (let i = 1; i < n; i++) if (z[i]! > z[best]!) best = i;
    return { index: best, relaxed };
  }
  const t = options.temperature;
  const order = Array.from({ length: n }, (_, i) => i).filter((i) => z[i]! > -Infinity);
  order.sort((a, b) => z[b]! - z[a]!);
  const k = options.topK > 0 ? Math.min(options.topK, order.length) : order.length;
  const top = z[order[0]!]!;
  const p = new Float64Array(k);
  let sum = 0;
  for (let r = 0; r < k; r++) {
    p[r] = Math.exp((z[order[r]!]! - top) / t);
    sum += p[r]!;
  }
  // Nucleus: the smallest head of the sorted distribution whose mass reaches topP.
  let keep = k;
  if (options.topP < 1) {
    let mass = 0;
    for (let r = 0; r < k; r++) {
      mass += p[r]! / sum;
      if (mass >= options.topP) {
        keep = r + 1;
        break;
      }
    }
  }
  let total = 0;
  for (let r = 0; r < keep; r++) total += p[r]!;
  let u = random() * total;
  for (let r = 0; r < keep; r++) {
    u -= p[r]!;
    if (u <= 0) return { index: order[r]!, relaxed };
  }
  return { index: order[keep - 1]!, relaxed };
}

/** Softmax with temperature of `logits[offset … offset+n)`, for tests and the step/duration heads' neighbours. */
export function softmax(logits: Float32Array, offset: number, n: number, temperature = 1): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[offset + i]!);
  const out = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += out[i] = Math.exp((logits[offset + i]! - max) / temperature);
  for (let i = 0; i < n; i++) out[i] = out[i]! / sum;
  return out;
}
