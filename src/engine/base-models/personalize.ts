/**
 * Personalising a base model on a musician's corpus: the base that fits the corpus (the one whose
 * encoding the studio would choose for it, else the one whose vocabulary covers most of it), then
 * a fine-tuned copy whose epochs fit the time given.
 */
import { EtudeError } from '../../shared/errors';
import type { ModelInfo } from '../../shared/training';
import { recommend } from '../train/recommend';
import type { Store } from '../store/store';
import { encodingOf } from '../encode/registry';

/** Share of a corpus's tokens a vocabulary already holds. */
function coverage(store: Store, corpusId: number, model: ModelInfo): number {
  const vocab = store.vocabularies.get(model.vocabularyId);
  const encoding = encodingOf(vocab.encoding);
  const known = new Set(store.vocabularies.tokens(vocab.id));
  let all = 0;
  let held = 0;
  for (const { piece } of store.corpora.iterateEncodable(corpusId)) {
    if (piece.notes.length === 0) continue;
    const encoded = encoding.encode(piece, vocab.params);
    if (encoded.representation !== 'tokens') return 0;
    all += encoded.tokens.length;
    held += encoded.tokens.filter((t) => known.has(t)).length;
  }
  return all === 0 ? 0 : held / all;
}

export function baseFor(store: Store, corpusId: number): { model: ModelInfo; reasons: string[] } {
  const bases = store.models.list().filter((m) => m.base);
  if (bases.length === 0) throw new EtudeError('not_found', 'no base model is installed: reinstall them from the Models page (or etude model reinstall-base)');
  const advice = recommend(store, corpusId);
  const encodingOfModel = (m: ModelInfo) => store.vocabularies.get(m.vocabularyId).encoding;
  const wanted = advice.baseEncoding ?? advice.encoding;
  const same = bases.filter((m) => encodingOfModel(m) === wanted);
  const scored = (same.length > 0 ? same : bases).map((m) => ({ m, coverage: coverage(store, corpusId, m) })).sort((a, b) => b.coverage - a.coverage);
  const chosen = scored[0]!;
  return {
    model: chosen.m,
    reasons: [
      same.length > 0
        ? wanted === advice.encoding
          ? `“${chosen.m.name}” hears music the way this corpus is best read (${advice.encoding}).`
          : `“${chosen.m.name}” learned music of this texture (${wanted === 'frame-pitches' ? 'chords' : 'single lines'}).`
        : `No base model reads ${wanted}, the best reading for this corpus: “${chosen.m.name}” knows most of its tokens.`,
      `It already knows ${(chosen.coverage * 100).toFixed(1)}% of the corpus's tokens; the rest are added.`,
    ],
  };
}
