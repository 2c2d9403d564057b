import os from 'node:os';
import path from 'node:path';

export const APP_DIR_NAME = 'Etude';
export const DB_FILE_NAME = 'etude.db';

/**
 * The OS user-data folder, computed the way Electron computes `app.getPath('userData')` for an app
 * whose productName is "Etude", so the CLI, the web studio and the desktop app share one database.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), APP_DIR_NAME);
}

/** `--db PATH` wins over `ETUDE_DB`, which wins over the user-data folder. */
export function resolveDbPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, dataDir?: string): string {
  const chosen = flag || env.ETUDE_DB;
  if (chosen) return path.resolve(chosen);
  return path.join(dataDir ?? defaultDataDir(env), DB_FILE_NAME);
}
