import { randomUUID } from 'node:crypto';
import { EtudeError } from '../../shared/errors';
import { checkCorpus } from '../corpus/check';
import { importSources, sourcesFromPaths, sourcesFromUploads, type ImportSource } from '../corpus/import';
import type { EngineContext } from '../context';
import type { ImportFailure } from '../../shared/library';
import type { Handlers } from './types';

type CorpusMethods =
  | 'corpus.list'
  | 'corpus.get'
  | 'corpus.create'
  | 'corpus.rename'
  | 'corpus.delete'
  | 'corpus.setTrackRule'
  | 'corpus.import'
  | 'corpus.importFiles'
  | 'corpus.cancelImport'
  | 'corpus.check'
  | 'pieces.list'
  | 'piece.get'
  | 'pieces.move'
  | 'pieces.delete';

export const corpusHandlers: Pick<Handlers, CorpusMethods> = {
  'corpus.list': (_input, { store }) => store.corpora.list(),

  'corpus.get': ({ id }, { store }) => store.corpora.summary(id),

  'corpus.create'({ name }, ctx) {
    const corpus = ctx.store.corpora.create(name);
    ctx.emit('library.changed', { corpusId: corpus.id });
    return ctx.store.corpora.summary(corpus.id);
  },

  'corpus.rename'({ id, name }, ctx) {
    ctx.store.corpora.rename(id, name);
    ctx.emit('library.changed', { corpusId: id });
    return ctx.store.corpora.summary(id);
  },

  'corpus.delete'({ id }, ctx) {
    const { pieces } = ctx.store.corpora.delete(id);
    ctx.emit('library.changed', { corpusId: null });
    return { deletedPieces: pieces };
  },

  'corpus.setTrackRule'({ id, rule }, ctx) {
    ctx.store.corpora.setTrackRule(id, rule);
    ctx.emit('library.changed', { corpusId: id });
    return ctx.store.corpora.summary(id);
  },

  'corpus.import'({ corpus, paths, importId }, ctx) {
    const { sources, failed } = sourcesFromPaths(paths);
    return runImport(ctx, corpus, sources, failed, importId);
  },

  'corpus.importFiles'({ corpus, files, importId }, ctx) {
    return runImport(ctx, corpus, sourcesFromUploads(files), [], importId);
  },

  'corpus.cancelImport'({ importId }, ctx) {
    const controller = ctx.imports.get(importId);
    controller?.abort();
    return { cancelled: controller !== undefined };
  },

  'corpus.check': ({ id, modelParameters }, { store }) => checkCorpus(store.corpora, id, modelParameters ? { modelParameters } : {}),

  'pieces.list': (query, { store }) => store.corpora.listPieces(query),

  'piece.get': ({ id }, { store }) => store.corpora.getPiece(id),

  'pieces.move'({ pieceIds, toCorpusId }, ctx) {
    const result = ctx.store.corpora.movePieces(pieceIds, toCorpusId);
    ctx.emit('library.changed', { corpusId: null });
    return result;
  },

  'pieces.delete'({ pieceIds }, ctx) {
    const deleted = ctx.store.corpora.deletePieces(pieceIds);
    ctx.emit('library.changed', { corpusId: null });
    return { deleted };
  },
};

/** Runs one import as a cancellable job that reports progress to every client. */
async function runImport(ctx: EngineContext, name: string, sources: ImportSource[], failed: ImportFailure[], requestedId?: string) {
  const importId = requestedId ?? randomUUID();
  if (ctx.imports.has(importId)) throw new EtudeError('conflict', `an import with id ${importId} is already running`);
  const corpus = ctx.store.corpora.byName(name) ?? ctx.store.corpora.create(name);
  const controller = new AbortController();
  ctx.imports.set(importId, controller);
  try {
    return await importSources(ctx.store.corpora, corpus.id, sources, failed, {
      importId,
      signal: controller.signal,
      onProgress: (progress) => ctx.emit('corpus.importProgress', progress),
    });
  } finally {
    ctx.imports.delete(importId);
    ctx.emit('library.changed', { corpusId: corpus.id });
  }
}
