/** Indices [from, to) of sorted start ticks that fall in [lo, hi]. */
export function visibleRange(starts: readonly number[], lo: number, hi: number): [number, number] {
  const search = (value: number, inclusive: boolean) => {
    let a = 0;
    let b = starts.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (inclusive ? starts[mid]! <= value : starts[mid]! < value) a = mid + 1;
      else b = mid;
    }
    return a;
  };
  return [search(lo, false), search(hi, true)];
}

const PALETTE = ['#e0a458', '#6cb4e0', '#8ccf7e', '#d98ad9', '#e07a6c', '#6ce0c8', '#c9c46c', '#9a8ce0'];

export function trackColor(position: number, isDrum: boolean): string {
  return isDrum ? '#a9afba' : PALETTE[position % PALETTE.length]!;
}
