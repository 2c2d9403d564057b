import { buildVocabulary } from '../encode/build-vocabulary';
import { encodingOf } from '../encode/registry';
import type { NamespaceHandlers } from './types';

/** The timeline tokens decode onto when no passage gives one: 480 ticks a quarter, 120 bpm, 4/4. */
const DEFAULT_CONTEXT = { ppq: 480, tempos: [{ tick: 0, usPerQuarter: 500_000 }], timeSignatures: [{ tick: 0, numerator: 4, denominator: 4 }] };

export const vocabularyHandlers: NamespaceHandlers<'vocabularies'> = {
  'vocabularies.build': ({ corpusId, encoding, params, minCount, maxSize, rebuild }, ctx) =>
    buildVocabulary(ctx.store, {
      corpusId,
      encoding,
      ...(params ? { params } : {}),
      ...(minCount ? { minCount } : {}),
      ...(maxSize ? { maxSize } : {}),
      ...(rebuild ? { rebuild } : {}),
      onProgress: (done, total) => ctx.emit('vocabularies.progress', { corpusId, done, total }),
    }),

  'vocabularies.list': ({ corpusId }, { store }) => store.vocabularies.list(corpusId),

  'vocabularies.get': ({ id }, { store }) => store.vocabularies.get(id),

  'vocabularies.tokens': ({ id, offset, limit, search }, { store }) =>
    store.vocabularies.tokenPage(id, { offset: offset ?? 0, limit: limit ?? 500, ...(search ? { search } : {}) }),

  'vocabularies.decode'({ id, tokens }, { store }) {
    const vocab = store.vocabularies.get(id);
    const encoding = encodingOf(vocab.encoding);
    if (vocab.representation !== 'tokens') {
      throw new Error(`${vocab.encoding} is not made of tokens: its steps are numbers, decoded by the model that generates them`);
    }
    const notes = encoding.decode({ representation: 'tokens', tokens }, vocab.params, DEFAULT_CONTEXT);
    return { ppq: DEFAULT_CONTEXT.ppq, notes };
  },

  'vocabularies.delete'({ id }, { store }) {
    store.vocabularies.delete(id);
    return { deleted: true };
  },
};
