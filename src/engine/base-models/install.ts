/**
 * Installing the base models the studio ships (resources/base-models): once per database, so a
 * new user can generate at once and a musician who deletes one does not see it come back; a
 * deleted or damaged one can be reinstalled.
 */
import fs from 'node:fs';
import path from 'node:path';
import { EtudeError } from '../../shared/errors';
import { readRegularFile } from '../files/read-regular';
import { importModelFile, MODEL_FILE_MAX_BYTES } from '../model-files/model-file';
import { resourcesDir } from '../resources';
import type { Store } from '../store/store';
import { BASE_MODELS, baseModelNamed, type BaseModelDefinition } from './catalog';

const INSTALLED_SETTING = 'base-models.installed-at';

const shippedFolder = () => path.join(resourcesDir(), 'base-models');

export function baseModelFile(definition: BaseModelDefinition, folder = shippedFolder()): string {
  return path.join(folder, `${definition.name}.etude-model`);
}

/** The shipped base models whose files are here (a checkout where one was not made yet lacks it). */
export function shippedBaseModels(folder = shippedFolder()): BaseModelDefinition[] {
  return BASE_MODELS.filter((b) => fs.existsSync(baseModelFile(b, folder)));
}

/** Imports one base model under its catalog title (another name if that one is taken) and marks it as the base of its name. */
function install(store: Store, definition: BaseModelDefinition, folder = shippedFolder()): number {
  const file = baseModelFile(definition, folder);
  const id = importModelFile(store, readRegularFile(file, MODEL_FILE_MAX_BYTES), path.basename(file), { name: store.models.freeName(definition.title, (b, n) => `${b} ${n + 1}`) });
  store.models.markBase(id, definition.name);
  return id;
}

/**
 * Installs every shipped base model the first time a database opens; afterwards nothing. A file
 * that cannot be imported is skipped (`onSkipped` says why) and the others install. `folder`: where
 * the files are (the shipped resources unless a test says otherwise).
 */
export function ensureBaseModels(store: Store, options: { onSkipped?: (name: string, reason: string) => void; folder?: string } = {}): number[] {
  const folder = options.folder ?? shippedFolder();
  if (store.getSetting(INSTALLED_SETTING)) return [];
  const installed: number[] = [];
  // One damaged file costs only its own model: the others install, and it is named once.
  for (const b of shippedBaseModels(folder).filter((d) => store.models.byBaseName(d.name) === null)) {
    try {
      installed.push(install(store, b, folder));
    } catch (err) {
      options.onSkipped?.(b.name, (err as Error).message);
    }
  }
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
