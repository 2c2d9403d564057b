import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/repo';

/** Every file below `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('a fresh clone needs nothing beside it', () => {
  it('no test, benchmark or script reads the team kit beside the repository', () => {
    const sources = ['test', 'src', 'scripts'].flatMap((d) => filesUnder(path.join(REPO_ROOT, d))).filter((f) => /\.(ts|mts|mjs|js|svelte)$/.test(f));
    // The kit is named as a folder beside the repo ('../shared' from the root, or a path built to it);
    // src/shared (the API contract) is imported as '../shared/…' from inside src and is not the kit.
    const offenders = sources.filter((file) => {
      const text = fs.readFileSync(file, 'utf8');
      const fromRoot = /REPO_ROOT,\s*'\.\.\/shared|join\([^)]*'\.\.',\s*'shared'|['`][^'`\n]*shared\/(corpora|benchmarks|reference|base-corpora)/.test(text);
      return fromRoot && !file.endsWith(path.join('commands', 'train-base.ts')) && !file.endsWith(path.join('base-models', 'catalog.ts'));
    });
    expect(offenders.map((f) => path.relative(REPO_ROOT, f))).toEqual([]);
  });

  it('the fixtures the tests read are in the repository, with their licences, and stay lean', () => {
    const fixtures = path.join(REPO_ROOT, 'test/fixtures');
    for (const folder of ['nottingham-jigs', 'piano-midi', 'seed000-music21', 'jsb-chorales']) {
      expect(fs.existsSync(path.join(fixtures, folder)), folder).toBe(true);
    }
    expect(fs.readdirSync(path.join(fixtures, 'nottingham-jigs')).filter((f) => f.endsWith('.mid'))).toHaveLength(384);
    expect(fs.existsSync(path.join(fixtures, 'nottingham-jigs/LICENSE.md'))).toBe(true);
    expect(fs.existsSync(path.join(fixtures, 'piano-midi/LICENSE-piano-midi.de.txt'))).toBe(true);
    expect(fs.existsSync(path.join(fixtures, 'piano-midi/LICENSE-tonejs-midi.md'))).toBe(true);
    const readme = fs.readFileSync(path.join(fixtures, 'README.md'), 'utf8');
    for (const folder of fs.readdirSync(fixtures, { withFileTypes: true }).filter((e) => e.isDirectory())) expect(readme, `README names ${folder.name}`).toContain(`\`${folder.name}/`);
    const bytes = filesUnder(fixtures).reduce((n, f) => n + fs.statSync(f).size, 0);
    expect(bytes).toBeLessThan(10 * 2 ** 20);
  });
});
