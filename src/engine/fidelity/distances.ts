/**
 * MGEval's comparison of two sets by one feature (Yang & Lerch 2020): the distances between pieces
 * inside the reference set (intra-set) against the distances from each generated piece to each
 * reference piece (inter-set), each smoothed by a Gaussian kernel density estimate; their
 * overlapping area (1 = the generated pieces sit among the reference pieces as those sit among
 * themselves) and the Kullback–Leibler divergence of intra from inter.
 */

export function euclidean(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - (b[i] ?? 0)) ** 2;
  return Math.sqrt(s);
}

/** Distances between every two pieces of a set (each pair once, as MGEval's leave-one-out gives each twice). */
export function intraSet(set: readonly (readonly number[])[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < set.length; i++) for (let j = i + 1; j < set.length; j++) out.push(euclidean(set[i]!, set[j]!));
  return out;
}

/** Distances from every piece of one set to every piece of the other. */
export function interSet(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number[] {
  const out: number[] = [];
  for (const x of a) for (const y of b) out.push(euclidean(x, y));
  return out;
}

function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
}

/** Scott's bandwidth (scipy's gaussian_kde default), at least `floor`. */
function bandwidth(samples: readonly number[], floor: number): number {
  return Math.max(std(samples) * samples.length ** -0.2, floor);
}

/** A Gaussian kernel density estimate with Scott's bandwidth. */
export function kde(samples: readonly number[], floor: number): (x: number) => number {
  const h = bandwidth(samples, floor);
  const norm = 1 / (samples.length * h * Math.sqrt(2 * Math.PI));
  return (x) => {
    let s = 0;
    for (const v of samples) s += Math.exp(-0.5 * ((x - v) / h) ** 2);
    return s * norm;
  };
}

/**
 * The same estimate on an even grid, by linear binning: each sample is shared between its two
 * grid points, then the grid's weights are smoothed by the kernel. Thousands of distances cost a
 * grid's worth of work, not samples × grid, and the error is far below the kernel's width.
 */
export function densityOnGrid(samples: readonly number[], lo: number, step: number, points: number, floor: number): Float64Array {
  const h = bandwidth(samples, floor);
  const weights = new Float64Array(points);
  for (const v of samples) {
    const at = Math.min(points - 1, Math.max(0, (v - lo) / step));
    const i = Math.min(points - 2, Math.floor(at));
    const f = at - i;
    weights[i]! += 1 - f;
    weights[i + 1]! += f;
  }
  const kernel = Array.from({ length: points }, (_, d) => Math.exp(-0.5 * ((d * step) / h) ** 2));
  const norm = 1 / (samples.length * h * Math.sqrt(2 * Math.PI));
  const out = new Float64Array(points);
  for (let j = 0; j < points; j++) {
    if (weights[j] === 0) continue;
    const w = weights[j]!;
    for (let i = 0; i < points; i++) out[i]! += w * kernel[Math.abs(i - j)]!;
  }
  for (let i = 0; i < points; i++) out[i]! *= norm;
  return out;
}

const GRID = 1000;

/**
 * Overlapping area and KL(intra ‖ inter) of two distance samples: ∫ min(p, q) over the whole line
 * (the grid reaches three bandwidths past the samples, where the densities have all but vanished).
 * MGEval integrates only between the samples' extremes, which drops the tails of both densities
 * and puts a set against itself under 1; the overlap as defined has no such loss. Samples that
 * are all one value (a feature every piece shares) get a narrow kernel instead of none.
 */
export function compareDistributions(intra: readonly number[], inter: readonly number[]): { overlap: number; kl: number } {
  if (intra.length === 0 || inter.length === 0) return { overlap: 0, kl: Infinity };
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of intra) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  for (const v of inter) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  if (hi - lo < 1e-12) return { overlap: 1, kl: 0 };
  const floor = (hi - lo) * 1e-3;
  const reach = 3 * Math.max(bandwidth(intra, floor), bandwidth(inter, floor));
  const from = lo - reach;
  const step = (hi - lo + 2 * reach) / (GRID - 1);
  const ps = densityOnGrid(intra, from, step, GRID, floor);
  const qs = densityOnGrid(inter, from, step, GRID, floor);
  let overlap = 0;
  for (let i = 0; i < GRID; i++) {
    const weight = i === 0 || i === GRID - 1 ? 0.5 : 1; // trapezoid rule
    overlap += weight * Math.min(ps[i]!, qs[i]!) * step;
  }
  // KL of the two densities on the shared grid, each normalised there (scipy.stats.entropy does the same).
  const sp = ps.reduce((a, b) => a + b, 0);
  const sq = qs.reduce((a, b) => a + b, 0);
  let kl = 0;
  for (let i = 0; i < GRID; i++) {
    const a = ps[i]! / sp;
    const b = Math.max(qs[i]! / sq, 1e-300);
    if (a > 0) kl += a * Math.log(a / b);
  }
  return { overlap: Math.min(1, overlap), kl };
}

/** One feature: the reference set's intra-set distances against the generated set's distances to it. */
export function compareSets(reference: readonly (readonly number[])[], generated: readonly (readonly number[])[]): { overlap: number; kl: number } {
  return compareDistributions(intraSet(reference), interSet(generated, reference));
}
