/**
 * A classifier two-sample test (Lopez-Paz & Oquab 2017): if a logistic regression, trained on some
 * corpus excerpts and takes, tells the others apart (cross-validated ROC AUC), the two sets
 * differ; 0.5 means it cannot. Features are standardised on each training fold; an L2 penalty
 * (sklearn's default C = 1) keeps a small sample from being fitted exactly.
 */
import { seededRandom } from '../../shared/random';

/** ROC AUC of scores for positives against negatives (Mann–Whitney U, ties counted half). */
export function auc(positives: readonly number[], negatives: readonly number[]): number {
  if (positives.length === 0 || negatives.length === 0) return 0.5;
  const all = [...positives.map((s) => ({ s, p: 1 })), ...negatives.map((s) => ({ s, p: 0 }))].sort((a, b) => a.s - b.s);
  // Mid-ranks for ties.
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.s === all[i]!.s) j++;
    const mid = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (all[k]!.p === 1) rankSum += mid;
    i = j + 1;
  }
  const n1 = positives.length;
  return (rankSum - (n1 * (n1 + 1)) / 2) / (n1 * negatives.length);
}

function solve(a: number[][], b: number[]): number[] {
  // Gaussian elimination with partial pivoting on a small positive-definite system.
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    const d = m[c]![c]!;
    if (Math.abs(d) < 1e-12) continue;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / d;
      if (f !== 0) for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => (Math.abs(row[i]!) < 1e-12 ? 0 : row[n]! / row[i]!));
}

export interface LogisticModel {
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
}

/** L2-penalised logistic regression by Newton's method: minimises Σ log-loss + ½‖w‖² (the bias unpenalised). */
export function fitLogistic(x: readonly (readonly number[])[], y: readonly number[], iterations = 25): LogisticModel {
  const d = x[0]?.length ?? 0;
  const mean = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j]!, 0) / x.length);
  const scale = Array.from({ length: d }, (_, j) => {
    const v = x.reduce((s, r) => s + (r[j]! - mean[j]!) ** 2, 0) / x.length;
    return v > 1e-12 ? Math.sqrt(v) : 1;
  });
  const z = x.map((r) => [...r.map((v, j) => (v - mean[j]!) / scale[j]!), 1]);
  const w = new Array<number>(d + 1).fill(0);
  for (let it = 0; it < iterations; it++) {
    const grad = w.map((wi, j) => (j < d ? wi : 0));
    const hess = Array.from({ length: d + 1 }, (_, i) => Array.from({ length: d + 1 }, (_, j) => (i === j && i < d ? 1 : 0)));
    for (let n = 0; n < z.length; n++) {
      const row = z[n]!;
      const p = 1 / (1 + Math.exp(-row.reduce((s, v, j) => s + v * w[j]!, 0)));
      const r = p * (1 - p);
      for (let i = 0; i <= d; i++) {
        grad[i]! += (p - y[n]!) * row[i]!;
        for (let j = 0; j <= d; j++) hess[i]![j]! += r * row[i]! * row[j]!;
      }
    }
    hess[d]![d]! += 1e-9;
    const delta = solve(hess, grad);
    let moved = 0;
    for (let j = 0; j <= d; j++) {
      w[j]! -= delta[j]!;
      moved = Math.max(moved, Math.abs(delta[j]!));
    }
    if (moved < 1e-8) break;
  }
  return { mean, scale, weights: w.slice(0, d), bias: w[d]! };
}

export function decision(model: LogisticModel, row: readonly number[]): number {
  return row.reduce((s, v, j) => s + ((v - model.mean[j]!) / model.scale[j]!) * model.weights[j]!, model.bias);
}

/**
 * Cross-validated AUC of telling `b` (label 1) from `a` (label 0). Folds are drawn by group on
 * each side (excerpts of one piece, takes of one passage), so the classifier is never tested on a
 * piece it saw in training (it would learn the piece, not the style). Each fold's AUC is taken on
 * its own scores (pooling scores of different fits mixes their intercepts, which drags a null
 * result below 0.5), averaged over the folds of several shuffles.
 */
function crossValidatedAuc(
  a: readonly (readonly number[])[],
  b: readonly (readonly number[])[],
  options: { folds?: number; repeats?: number; seed?: number; groupsA?: readonly (number | string)[]; groupsB?: readonly (number | string)[] } = {},
): number {
  const random = seededRandom(options.seed ?? 1);
  const foldOf = (n: number, groups: readonly (number | string)[] | undefined, k: number): number[] => {
    const keys = groups ?? Array.from({ length: n }, (_, i) => i);
    const distinct = [...new Set(keys)];
    for (let i = distinct.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [distinct[i], distinct[j]] = [distinct[j]!, distinct[i]!];
    }
    const fold = new Map(distinct.map((g, i) => [g, i % k]));
    return keys.map((g) => fold.get(g)!);
  };
  const groupsIn = (n: number, groups: readonly (number | string)[] | undefined) => (groups ? new Set(groups).size : n);
  const k = Math.max(2, Math.min(options.folds ?? 5, groupsIn(a.length, options.groupsA), groupsIn(b.length, options.groupsB)));
  let sum = 0;
  let count = 0;
  for (let r = 0; r < (options.repeats ?? 5); r++) {
    const fa = foldOf(a.length, options.groupsA, k);
    const fb = foldOf(b.length, options.groupsB, k);
    for (let f = 0; f < k; f++) {
      const x = [...a.filter((_, i) => fa[i] !== f), ...b.filter((_, i) => fb[i] !== f)];
      const y = [...a.filter((_, i) => fa[i] !== f).map(() => 0), ...b.filter((_, i) => fb[i] !== f).map(() => 1)];
      const model = fitLogistic(x, y);
      const scoresA = a.filter((_, i) => fa[i] === f).map((row) => decision(model, row));
      const scoresB = b.filter((_, i) => fb[i] === f).map((row) => decision(model, row));
      if (scoresA.length === 0 || scoresB.length === 0) continue;
      sum += auc(scoresB, scoresA);
      count++;
    }
  }
  return count > 0 ? sum / count : 0.5;
}

/**
 * The two-sample test's AUC, corrected for cross-validation's own pull: on two samples of one
 * population a refitted classifier scores a held-out piece against its own class (the class's
 * training mean moved away from it when it was left out), so cross-validated AUCs of identical
 * sets come out under 0.5, the more so with few pieces and many features. The same test run with
 * the groups' labels shuffled measures that pull, and it is added back: identical sets ≈ 0.5, a
 * real difference a little higher than the raw figure, never lower.
 */
export function twoSampleAuc(
  a: readonly (readonly number[])[],
  b: readonly (readonly number[])[],
  options: { folds?: number; repeats?: number; permutations?: number; seed?: number; groupsA?: readonly (number | string)[]; groupsB?: readonly (number | string)[] } = {},
): number {
  const raw = crossValidatedAuc(a, b, options);
  const permutations = options.permutations ?? 8;
  if (permutations <= 0) return raw;
  const random = seededRandom((options.seed ?? 1) * 7 + 3);
  const rows = [...a, ...b];
  const groups = [...(options.groupsA ?? a.map((_, i) => `a${i}`)).map((g) => `a:${g}`), ...(options.groupsB ?? b.map((_, i) => `b${i}`)).map((g) => `b:${g}`)];
  const distinct = [...new Set(groups)];
  const groupsOfA = new Set(groups.slice(0, a.length)).size;
  let pull = 0;
  for (let p = 0; p < permutations; p++) {
    const order = [...distinct];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const inA = new Set(order.slice(0, groupsOfA));
    const pa = rows.filter((_, i) => inA.has(groups[i]!));
    const pb = rows.filter((_, i) => !inA.has(groups[i]!));
    if (pa.length === 0 || pb.length === 0) continue;
    pull += 0.5 - crossValidatedAuc(pa, pb, { ...options, repeats: 2, seed: (options.seed ?? 1) + p + 1, groupsA: groups.filter((g) => inA.has(g)), groupsB: groups.filter((g) => !inA.has(g)) });
  }
  return Math.min(1, Math.max(0, raw + pull / permutations));
}
