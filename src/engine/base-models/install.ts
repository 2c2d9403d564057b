/**
 * Installing the base models the studio ships (resources/base-models): once per database, so a
 * new user can generate at once and a musician who deletes one does not see it come back; a
 * deleted or damaged one can be reinstalled.
 */
import fs from 'node:fs';
import path from 'node:path';
import { EtudeError } from '../../shared/errors';
import { importModelFile } from '../model-files/model-file';
import { resourcesDir } from '../resources';
import type { Store } from '../store/store';
import { BASE_MODELS, baseModelNamed, type BaseModelDefinition } from './catalog';

const INSTALLED_SETTING = 'base-models.installed-at';

export function baseModelFile(definition: BaseModelDefinition): string {
  return path.join(resourcesDir(), 'base-models', `${definition.name}.etude-model`);
}

/** The shipped base models whose files are here (a checkout where one was not made yet lacks it). */
export function shippedBaseModels(): BaseModelDefinition[] {
  return BASE_MODELS.filter((b) => fs.existsSync(baseModelFile(b)));
}

/** Imports one base model under its catalog title (another name if that one is taken) and marks it as the base of its name. */
function install(store: Store, definition: BaseModelDefinition): number {
  const file = baseModelFile(definition);
  const id = importModelFile(store, fs.readFileSync(file), path.basename(file), { name: store.models.freeName(definition.title, (b, n) => `${b} ${n + 1}`) });
  store.models.markBase(id, definition.name);
  return id;
}

/** Installs every shipped base model the first time a database opens; afterwards nothing. */
export function ensureBaseModels(store: Store): number[] {
  if (store.getSetting(INSTALLED_SETTING)) return [];
  const installed = shippedBaseModels()
    .filter((b) => store.models.byBaseName(b.name) === null)
    .map((b) => install(store, b));
  store.setSetting(INSTALLED_SETTING, new Date().toISOString());
  return installed;
}

/** Installs base models again where they are missing (one by name, or all): the model ids installed. */
export function reinstallBaseModels(store: Store, name?: string): number[] {
  const wanted = name === undefined ? shippedBaseModels() : [baseModelNamed(name)].filter((b): b is BaseModelDefinition => b !== undefined);
  if (name !== undefined && wanted.length === 0) throw new EtudeError('not_found', `no base model named "${name}" (base models: ${BASE_MODELS.map((b) => b.name).join(', ')})`);
  for (const b of wanted) if (!fs.existsSync(baseModelFile(b))) throw new EtudeError('not_found', `the base model "${b.name}" is not shipped with this studio (no ${path.basename(baseModelFile(b))})`);
  return wanted.filter((b) => store.models.byBaseName(b.name) === null).map((b) => install(store, b));
}
