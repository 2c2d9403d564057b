/** The base model the musician chose to start from, per corpus, kept across reloads (localStorage). */
const KEY = 'etude.train.fromBase';

function all(): Record<string, number | null> {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, number | null>) : {};
  } catch {
    return {}; // a damaged entry is forgotten, not fatal
  }
}

export const baseChoice = {
  /** The base chosen for this corpus, or null (a new model, or nothing chosen yet). */
  get(corpusId: number): number | null {
    const v = all()[String(corpusId)];
    return typeof v === 'number' ? v : null;
  },
  set(corpusId: number, baseId: number | null): void {
    localStorage.setItem(KEY, JSON.stringify({ ...all(), [String(corpusId)]: baseId }));
  },
};
