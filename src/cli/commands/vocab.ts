import type { ParamValue } from '../../shared/encoding';
import { ENCODING_KINDS } from '../../shared/encoding';
import { UsageError, type Command } from '../command';
import { corpusNamed, withEngine } from '../engine-call';

/** `--param k=v`: numbers and true/false become themselves, anything else stays a string. */
export function parseParamFlags(values: readonly string[]): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = {};
  for (const item of values) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param takes key=value (got "${item}")`);
    const key = item.slice(0, eq).trim();
    const raw = item.slice(eq + 1).trim();
    params[key] = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return params;
}

function positiveInt(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a whole number of at least 1`);
  return n;
}

export const vocabCommand: Command = {
  name: 'vocab',
  summary: 'encode a corpus and build its vocabulary: size, coverage, round-trip error',
  usage: `etude vocab --corpus NAME --encoding ${ENCODING_KINDS.join('|')} [--param k=v ...] [--min-count N] [--max-size N] [--rebuild] [--json]`,
  options: {
    corpus: { type: 'string' },
    encoding: { type: 'string' },
    param: { type: 'string', multiple: true },
    'min-count': { type: 'string' },
    'max-size': { type: 'string' },
    rebuild: { type: 'boolean' },
  },
  async run(ctx) {
    const name = ctx.values.corpus as string | undefined;
    const encoding = ctx.values.encoding as string | undefined;
    if (!name?.trim()) throw new UsageError('--corpus NAME is required');
    if (!encoding || !(ENCODING_KINDS as readonly string[]).includes(encoding)) {
      throw new UsageError(`--encoding must be one of ${ENCODING_KINDS.join(', ')}`);
    }
    const params = parseParamFlags((ctx.values.param as string[] | undefined) ?? []);
    const minCount = positiveInt(ctx.values['min-count'], '--min-count');
    const maxSize = positiveInt(ctx.values['max-size'], '--max-size');
    const summary = await withEngine(ctx.dbPath, async (call) => {
      const corpus = await corpusNamed(call, name);
      return call('vocabularies.build', {
        corpusId: corpus.id,
        encoding: encoding as (typeof ENCODING_KINDS)[number],
        params,
        ...(minCount ? { minCount } : {}),
        ...(maxSize ? { maxSize } : {}),
        ...(ctx.values.rebuild ? { rebuild: true } : {}),
      });
    });
    if (!ctx.json) {
      const rt = summary.roundTrip;
      ctx.out(`vocabulary ${summary.id}: ${summary.encoding} over "${summary.corpus}" ${JSON.stringify(summary.params)}`);
      if (summary.representation === 'tokens') ctx.out(`  size ${summary.size} tokens, coverage ${(summary.coverage * 100).toFixed(2)}%`);
      else ctx.out(`  ${summary.representation} steps (no token table)`);
      ctx.out(`  ${summary.steps.toLocaleString('en')} steps over ${summary.pieces} pieces, encoded in ${summary.seconds.toFixed(2)} s`);
      ctx.out(
        `  round trip: ${rt.exact} of ${rt.notes} notes exact (error ${(rt.error * 100).toFixed(2)}%), ${rt.durationChanged} with another length, ${rt.lost} moved or lost, ${rt.added} added`,
      );
      for (const w of summary.warnings) ctx.out(`  warning: ${w}`);
    }
    return summary;
  },
};
