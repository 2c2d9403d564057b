import path from 'node:path';
import { STARTER_CORPUS, type ImportSummary } from '../../shared/library';
import { resourcesDir } from '../resources';
import type { Store } from '../store/store';
import { importSources, sourcesFromPaths } from './import';

export { STARTER_CORPUS };
const IMPORTED_SETTING = 'starter-corpus.imported-at';

/**
 * Imports the bundled starter tunes (resources/starter, written by this project) into a
 * "Starter tunes" corpus the first time a database is opened, so a new user can train at once.
 * Once per database: a user who deletes the corpus does not see it come back.
 */
/** A library that should not get the starter tunes (one rebuilt from a rescue holds what the musician kept). */
export function skipStarterCorpus(store: Store): void {
  if (!store.getSetting(IMPORTED_SETTING)) store.setSetting(IMPORTED_SETTING, new Date().toISOString());
}

export async function ensureStarterCorpus(store: Store): Promise<ImportSummary | null> {
  if (store.getSetting(IMPORTED_SETTING)) return null;
  const corpus = store.corpora.byName(STARTER_CORPUS) ?? store.corpora.create(STARTER_CORPUS);
  const { sources, failed } = sourcesFromPaths([path.join(resourcesDir(), 'starter')]);
  const summary = await importSources(store.corpora, corpus.id, sources, failed);
  store.setSetting(IMPORTED_SETTING, new Date().toISOString());
  return summary;
}
