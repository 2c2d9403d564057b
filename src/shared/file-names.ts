/** File names for what the studio writes: pure, so the engine and the renderer name files alike. */

/** Characters no file system takes, and control characters, become spaces. */
export function safeFileName(text: string): string {
  return [...text]
    .map((c) => (c.charCodeAt(0) < 32 || '\\/:*?"<>|'.includes(c) ? ' ' : c))
    .join('')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120);
}

/**
 * `model - piece - bars - take N.ext`, from the generation's primer label
 * ("Starter tunes/Greensleeves@bars=1-4", "scale.mid", "no primer"…); `take` null names a file of all takes.
 */
export function exportFileName(model: string, primerLabel: string, take: number | null, part: 'whole' | 'continuation' = 'whole', ext = 'mid'): string {
  const [where, range] = primerLabel.split('@') as [string, string | undefined];
  const piece = where.includes('/') ? where.slice(where.indexOf('/') + 1) : where.replace(/\.(mid|midi|kar)$/i, '');
  const span = range?.startsWith('bars=') ? `bars ${range.slice(5)}` : range?.startsWith('seconds=') ? `${range.slice(8)} s` : null;
  const parts = [model, piece, span, take === null ? 'all takes' : `take ${take + 1}`].filter((p): p is string => !!p).map(safeFileName);
  return `${parts.join(' - ')}${part === 'continuation' ? ' (continuation)' : ''}.${ext}`;
}
