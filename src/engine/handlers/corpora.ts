import { randomUUID } from 'node:crypto';
import { EtudeError } from '../../shared/errors';
import { checkCorpus } from '../corpus/check';
import { importSources, sourcesFromPathsAsync, sourcesFromUploads, type ImportSource } from '../corpus/import';
import type { EngineContext } from '../context';
import type { ImportFailure } from '../../shared/library';
import type { NamespaceHandlers } from './types';

export const corporaHandlers: NamespaceHandlers<'corpora'> = {
  'corpora.list': (_input, { store }) => store.corpora.list(),

  'corpora.get': ({ id }, { store }) => store.corpora.summary(id),

  'corpora.create'({ name }, ctx) {
    const corpus = ctx.store.corpora.create(name);
    ctx.emit('corpora.changed', { corpusId: corpus.id });
    return ctx.store.corpora.summary(corpus.id);
  },

  'corpora.rename'({ id, name }, ctx) {
    ctx.store.corpora.rename(id, name);
    ctx.emit('corpora.changed', { corpusId: id });
    return ctx.store.corpora.summary(id);
  },

  'corpora.delete'({ id }, ctx) {
    const { pieces } = ctx.store.corpora.delete(id);
    ctx.emit('corpora.changed', { corpusId: null });
    return { deletedPieces: pieces };
  },

  'corpora.setTrackRule'({ id, rule }, ctx) {
    ctx.store.corpora.setTrackRule(id, rule);
    ctx.emit('corpora.changed', { corpusId: id });
    return ctx.store.corpora.summary(id);
  },

  async 'corpora.import'({ corpus, paths, importId }, ctx) {
    const { sources, failed } = await sourcesFromPathsAsync(paths);
    return runImport(ctx, corpus, sources, failed, importId);
  },

  'corpora.importFiles'({ corpus, files, importId }, ctx) {
    return runImport(ctx, corpus, sourcesFromUploads(files), [], importId);
  },

  'corpora.cancelImport'({ importId }, ctx) {
    const controller = ctx.imports.get(importId);
    controller?.abort();
    return { cancelled: controller !== undefined };
  },

  'corpora.check': ({ id, modelParameters }, { store }) => checkCorpus(store.corpora, id, modelParameters ? { modelParameters } : {}),
};

/** Runs one import as a cancellable job that reports progress to every client. */
async function runImport(ctx: EngineContext, name: string, sources: ImportSource[], failed: ImportFailure[], requestedId?: string) {
  const importId = requestedId ?? randomUUID();
  if (ctx.imports.has(importId)) throw new EtudeError('conflict', `an import with id ${importId} is already running`);
  const existing = ctx.store.corpora.byName(name);
  const corpus = existing ?? ctx.store.corpora.create(name);
  const controller = new AbortController();
  ctx.imports.set(importId, controller);
  try {
    const summary = await importSources(ctx.store.corpora, corpus.id, sources, failed, {
      importId,
      signal: controller.signal,
      parser: ctx.parser,
      onProgress: (progress) => ctx.emit('corpora.importProgress', progress),
    });
    return { ...summary, createdCorpus: existing === null };
  } finally {
    ctx.imports.delete(importId);
    ctx.emit('corpora.changed', { corpusId: corpus.id });
  }
}
