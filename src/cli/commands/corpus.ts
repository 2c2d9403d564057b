import { randomUUID } from 'node:crypto';
import { EtudeError } from '../../shared/errors';
import type { ImportSummary } from '../../shared/library';
import { UsageError, type Command } from '../command';
import { corpusNamed, withEngine } from '../engine-call';
import { duration, pitchName, table } from '../format';

export const importCommand: Command = {
  name: 'import',
  summary: 'import MIDI (.mid .midi .kar) and ABC (.abc) files and folders into a corpus',
  usage: 'etude import PATH... --corpus NAME [--json] [--db PATH]',
  options: { corpus: { type: 'string' } },
  async run(ctx) {
    const corpus = ctx.values.corpus as string | undefined;
    if (!corpus?.trim()) throw new UsageError('--corpus NAME is required');
    if (ctx.positionals.length === 0) throw new UsageError('give at least one file or folder to import');
    const summary: ImportSummary = await withEngine(ctx.dbPath, async (call, engine) => {
      const importId = randomUUID();
      const live = !ctx.json && process.stderr.isTTY;
      const off = engine.on((m) => {
        if (live && m.event === 'corpora.importProgress' && m.payload.importId === importId) {
          const p = m.payload;
          process.stderr.write(`\r${p.done}/${p.total} files, ${p.imported} imported, ${p.failed} failed\x1b[K`);
        }
      });
      const cancel = () => void call('corpora.cancelImport', { importId });
      process.once('SIGINT', cancel);
      try {
        return await call('corpora.import', { corpus, paths: ctx.positionals, importId });
      } finally {
        process.off('SIGINT', cancel);
        off();
        if (live) process.stderr.write('\r\x1b[K');
      }
    });
    if (!ctx.json) {
      ctx.out(
        `${summary.imported} imported into "${summary.corpus}", ${summary.duplicates} duplicate${summary.duplicates === 1 ? '' : 's'} skipped, ` +
          `${summary.failed.length} failed, ${summary.notes} notes in ${summary.seconds.toFixed(2)} s${summary.cancelled ? ' (cancelled)' : ''}`,
      );
      for (const f of summary.failed) ctx.out(`  failed: ${f.file}: ${f.reason}`);
    }
    // A full disk ends the import: a failure (exit 1) that says how far it got.
    if (summary.stopped) throw new EtudeError('unavailable', summary.stopped);
    // The ids the studio keeps to undo an import stay out of the command's output (thousands for a big folder).
    const { pieceIds: _ids, createdCorpus: _created, ...printed } = summary;
    return printed;
  },
};

export const corporaCommand: Command = {
  name: 'corpora',
  summary: 'list corpora with their statistics',
  usage: 'etude corpora [--json] [--db PATH]',
  options: {},
  async run(ctx) {
    const corpora = await withEngine(ctx.dbPath, (call) => call('corpora.list', {}));
    if (!ctx.json) {
      if (corpora.length === 0) ctx.out('No corpora yet: etude import PATH --corpus NAME');
      else
        table([
          ['corpus', 'pieces', 'notes', 'duration', 'range', 'tracks by family'],
          ...corpora.map((c) => [
            c.name,
            String(c.pieces),
            String(c.notes),
            duration(c.durationSeconds),
            `${pitchName(c.pitchMin)}-${pitchName(c.pitchMax)}`,
            Object.entries(c.families)
              .map(([f, n]) => `${f} ${n}`)
              .join(', '),
          ]),
        ]).forEach((l) => ctx.out(l));
    }
    return { corpora };
  },
};

export const piecesCommand: Command = {
  name: 'pieces',
  summary: 'list the pieces of a corpus',
  usage: 'etude pieces --corpus NAME [--search TEXT] [--json] [--db PATH]',
  options: { corpus: { type: 'string' }, search: { type: 'string' } },
  async run(ctx) {
    const name = ctx.values.corpus as string | undefined;
    if (!name?.trim()) throw new UsageError('--corpus NAME is required');
    const result = await withEngine(ctx.dbPath, async (call) => {
      const corpus = await corpusNamed(call, name);
      const search = ctx.values.search as string | undefined;
      const list = await call('pieces.list', { corpusId: corpus.id, ...(search ? { search } : {}) });
      return { corpus: corpus.name, ...list };
    });
    if (!ctx.json) {
      table([
        ['id', 'title', 'notes', 'duration', 'meter', 'key', 'bpm', 'tracks'],
        ...result.pieces.map((p) => [String(p.id), p.title, String(p.noteCount), duration(p.durationSeconds), p.meter, p.key ?? '-', String(Math.round(p.bpm)), String(p.trackCount)]),
      ]).forEach((l) => ctx.out(l));
      ctx.out(`${result.total} piece${result.total === 1 ? '' : 's'} in "${result.corpus}"`);
    }
    return result;
  },
};

export const corpusCheckCommand: Command = {
  name: 'corpus-check',
  summary: 'what training on a corpus would use and drop, and why',
  usage: 'etude corpus-check --corpus NAME [--model-parameters N] [--json] [--db PATH]',
  options: { corpus: { type: 'string' }, 'model-parameters': { type: 'string' } },
  async run(ctx) {
    const name = ctx.values.corpus as string | undefined;
    if (!name?.trim()) throw new UsageError('--corpus NAME is required');
    const params = ctx.values['model-parameters'] as string | undefined;
    const modelParameters = params === undefined ? undefined : Number(params);
    if (modelParameters !== undefined && !(Number.isInteger(modelParameters) && modelParameters > 0)) {
      throw new UsageError('--model-parameters must be a positive integer');
    }
    const report = await withEngine(ctx.dbPath, async (call) => {
      const corpus = await corpusNamed(call, name);
      return call('corpora.check', { id: corpus.id, ...(modelParameters ? { modelParameters } : {}) });
    });
    if (!ctx.json) {
      ctx.out(`"${report.corpus}": training takes ${report.ruleDescription}`);
      ctx.out(`  uses ${report.pieces.used} of ${report.pieces.total} pieces, ${report.notes.used} of ${report.notes.total} notes (${duration(report.usedSeconds)})`);
      for (const [reason, n] of Object.entries(report.droppedByReason)) ctx.out(`  drops ${n}: ${reason}`);
      for (const d of report.dropped.slice(0, 20)) ctx.out(`    ${d.title}: ${d.detail}`);
      if (report.dropped.length > 20) ctx.out(`    … and ${report.dropped.length - 20} more (--json lists all)`);
      ctx.out(`  keys: ${Object.entries(report.keys).map(([k, n]) => `${k} ${n}`).join(', ') || '-'}`);
      ctx.out(`  tempos: ${report.tempos.map((t) => `${t.bpm} bpm ${t.pieces}`).join(', ') || '-'}`);
      for (const w of report.warnings) ctx.out(`  warning: ${w}`);
    }
    return report;
  },
};
