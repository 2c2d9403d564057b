import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKLOADS, type BenchResult, type Workload } from '../../engine/bench/workloads';
import { UsageError, type Command } from '../command';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * `etude bench`: each workload runs in its own process through the studio's real code, so its
 * peak resident memory is its own. Prints one JSON line per workload.
 */
export const benchCommand: Command = {
  name: 'bench',
  summary: 'run the benchmark workloads and print one JSON line each',
  usage: 'etude bench [--workload NAME] [--corpora DIR] [--benchmarks DIR] [--json]',
  options: { workload: { type: 'string' }, corpora: { type: 'string' }, benchmarks: { type: 'string' }, inline: { type: 'boolean' }, generate: { type: 'boolean' } },
  async run(ctx) {
    // The workloads read the repo's own fixtures (test/fixtures/README.md) unless told otherwise.
    const corporaDir = path.resolve((ctx.values.corpora as string | undefined) ?? process.env.ETUDE_CORPORA ?? path.join(REPO_ROOT, 'test/fixtures'));
    const benchmarksDir = path.resolve((ctx.values.benchmarks as string | undefined) ?? process.env.ETUDE_BENCHMARKS ?? path.join(REPO_ROOT, 'test/fixtures'));
    const name = ctx.values.workload as string | undefined;
    const chosen = name ? WORKLOADS.filter((w) => w.name === name) : WORKLOADS;
    if (chosen.length === 0) throw new UsageError(`unknown workload "${name}" (workloads: ${WORKLOADS.map((w) => w.name).join(', ')})`);

    if (ctx.values.inline) {
      const workload = chosen[0]!;
      const result = ctx.values.generate && workload.generate ? await workload.generate() : await workload.run({ corporaDir, benchmarksDir });
      ctx.out(JSON.stringify({ ...result, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }));
      return undefined;
    }
    const inline = (workload: Workload, extra: string[], env: NodeJS.ProcessEnv = process.env): BenchResult => {
      const child = spawnSync(process.execPath, [process.argv[1]!, 'bench', '--inline', '--workload', workload.name, '--corpora', corporaDir, '--benchmarks', benchmarksDir, ...extra], {
        encoding: 'utf8',
        env,
      });
      if (child.status !== 0) throw new Error(`workload ${workload.name} failed: ${(child.stderr || child.stdout).trim().split('\n').at(-1)}`);
      return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as BenchResult;
    };
    for (const workload of chosen) {
      if (!ctx.json) ctx.err(`running ${workload.name}: ${workload.summary}`);
      const result = inline(workload, []);
      if (workload.generate) {
        // As the studio generates: in a worker of its own on one WebAssembly thread.
        const generated = inline(workload, ['--generate'], { ...process.env, ETUDE_THREADS: '1' });
        result.generate_threads = generated.generate_threads ?? null;
        result.generate_1000_tokens_s = generated.generate_1000_tokens_s ?? null;
        result.first_generate_1000_tokens_s = generated.first_generate_1000_tokens_s ?? null;
      }
      if (!ctx.json) ctx.err(Object.entries(result).map(([key, value]) => `  ${key}: ${value}`).join('\n'));
      ctx.out(JSON.stringify(result));
    }
    return undefined;
  },
};
