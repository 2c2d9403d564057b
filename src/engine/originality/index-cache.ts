import type { Store } from '../store/store';
import { CorpusIndex } from './corpus-index';

/** One originality index per corpus for the life of this thread, rebuilt when the corpus changes. */
const indexes = new Map<number, CorpusIndex>();

export function corpusIndexFor(store: Store, corpusId: number): CorpusIndex {
  const stamp = CorpusIndex.stampOf(store, corpusId);
  let index = indexes.get(corpusId);
  if (!index || index.stamp !== stamp) {
    index = CorpusIndex.build(store, corpusId);
    indexes.set(corpusId, index);
  }
  return index;
}
