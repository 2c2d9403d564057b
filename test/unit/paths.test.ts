import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir, resolveDbPath } from '../../src/engine/store/paths';

describe('database location', () => {
  it('uses the same user-data folder Electron uses for an app named Etude', () => {
    expect(defaultDataDir({}, 'linux')).toBe(path.join(os.homedir(), '.config', 'Etude'));
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/x/conf' }, 'linux')).toBe(path.join('/x/conf', 'Etude'));
    expect(defaultDataDir({}, 'darwin')).toBe(path.join(os.homedir(), 'Library', 'Application Support', 'Etude'));
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\m\\AppData\\Roaming' }, 'win32')).toBe(path.join('C:\\Users\\m\\AppData\\Roaming', 'Etude'));
  });

  it('prefers --db, then ETUDE_DB, then the user-data folder', () => {
    expect(resolveDbPath('/a/flag.db', { ETUDE_DB: '/b/env.db' })).toBe('/a/flag.db');
    expect(resolveDbPath(undefined, { ETUDE_DB: '/b/env.db' })).toBe('/b/env.db');
    expect(resolveDbPath(undefined, {}, '/data')).toBe(path.join('/data', 'etude.db'));
    expect(resolveDbPath('rel.db', {})).toBe(path.resolve('rel.db'));
  });
});
