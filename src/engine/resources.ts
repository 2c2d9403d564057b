import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repo's `resources/` folder, found by walking up from this module: the engine runs from
 * `src/engine` (CLI, server, tests) and from the bundle in `out/main` (desktop), at different depths.
 */
export function resourcesDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'resources');
    if (fs.existsSync(path.join(candidate, 'starter'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('the resources folder (with the starter corpus) is missing from this installation');
    dir = parent;
  }
}
