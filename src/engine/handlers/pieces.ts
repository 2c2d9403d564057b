import { readProvenance } from '../export/provenance';
import type { NamespaceHandlers } from './types';

export const pieceHandlers: NamespaceHandlers<'pieces'> = {
  'pieces.list': (query, { store }) => store.corpora.listPieces(query),

  'pieces.get': ({ id }, { store }) => {
    const piece = store.corpora.getPiece(id);
    return { ...piece, provenance: piece.sourceFormat === 'midi' ? readProvenance(store.corpora.original(id).bytes) : null };
  },

  'pieces.move'({ pieceIds, toCorpusId }, ctx) {
    const result = ctx.store.corpora.movePieces(pieceIds, toCorpusId);
    ctx.emit('corpora.changed', { corpusId: null });
    return result;
  },

  'pieces.delete'({ pieceIds }, ctx) {
    const deleted = ctx.store.corpora.deletePieces(pieceIds);
    ctx.emit('corpora.changed', { corpusId: null });
    return { deleted };
  },
};
