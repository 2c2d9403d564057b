/**
 * A suffix array over an integer sequence, by prefix doubling with typed-array sorts: O(n log² n)
 * worst case, a second or two for a million symbols. Negative symbols are separators: each is
 * unique, so no match runs across one.
 */
export function suffixArray(seq: Int32Array): Int32Array {
  const n = seq.length;
  const sa = new Int32Array(n);
  let rank = new Int32Array(n);
  // Initial ranks: symbols compressed to 0…k, in order.
  const sorted = Array.from(new Set(seq)).sort((a, b) => a - b);
  const code = new Map(sorted.map((v, i) => [v, i]));
  for (let i = 0; i < n; i++) {
    sa[i] = i;
    rank[i] = code.get(seq[i]!)!;
  }
  const keys = new Float64Array(n);
  let next = new Int32Array(n);
  for (let k = 1; ; k *= 2) {
    // Sort suffixes by (rank[i], rank[i+k]) as one float key: rank ≤ n < 2^26, so the pair fits exactly.
    const order = Array.from(sa);
    for (let i = 0; i < n; i++) keys[i] = rank[i]! * (n + 1) + (i + k < n ? rank[i + k]! + 1 : 0);
    order.sort((a, b) => keys[a]! - keys[b]!);
    sa.set(order);
    next[sa[0]!] = 0;
    let classes = 1;
    for (let i = 1; i < n; i++) {
      if (keys[sa[i]!] !== keys[sa[i - 1]!]) classes++;
      next[sa[i]!] = classes - 1;
    }
    [rank, next] = [next, rank];
    if (classes === n || k > n) break;
  }
  return sa;
}

/** Length of the common prefix of seq[a…] and query[q…] (separators never match). */
function commonPrefix(seq: Int32Array, a: number, query: Int32Array, q: number): number {
  let l = 0;
  while (a + l < seq.length && q + l < query.length && seq[a + l]! >= 0 && seq[a + l] === query[q + l]) l++;
  return l;
}

/**
 * The longest prefix of query[q…] found anywhere in seq, and where: binary search for the
 * insertion point among the sorted suffixes; the longest match is next to it.
 */
export function longestPrefixMatch(seq: Int32Array, sa: Int32Array, query: Int32Array, q: number): { length: number; at: number } {
  let lo = 0;
  let hi = sa.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const s = sa[mid]!;
    // Compare suffix s with query[q…].
    let l = 0;
    while (s + l < seq.length && q + l < query.length && seq[s + l] === query[q + l]) l++;
    const less = q + l >= query.length ? false : s + l >= seq.length ? true : seq[s + l]! < query[q + l]!;
    if (less) lo = mid + 1;
    else hi = mid;
  }
  let best = { length: 0, at: -1 };
  for (const i of [lo - 1, lo]) {
    if (i < 0 || i >= sa.length) continue;
    const length = commonPrefix(seq, sa[i]!, query, q);
    if (length > best.length) best = { length, at: sa[i]! };
  }
  return best;
}
