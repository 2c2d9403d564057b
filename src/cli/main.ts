/**
 * The `etude` command line. Every capability adds a subcommand here. `--json` makes output
 * machine-readable; `--db` chooses the database; exit 0 on success, 1 on failure, 2 on misuse,
 * always with a one-line reason.
 */
import { parseArgs } from 'node:util';
import { resolveDbPath } from '../engine/store/paths';
import { APP_VERSION } from '../engine/version';
import { toErrorData } from '../shared/errors';
import { UsageError, type Command, type OptionSpec } from './command';
import { infoCommand } from './commands/info';
import { serveCommand } from './commands/serve';
import { benchCommand } from './commands/bench';
import { vocabCommand } from './commands/vocab';
import { trainCommand } from './commands/train';
import { generateCommand, generationsCommand } from './commands/generate';
import { exportCommand } from './commands/export';
import { checkCommand } from './commands/check';
import { scoreCommand } from './commands/score';
import { fidelityCommand } from './commands/fidelity';
import { trainBaseCommand } from './commands/train-base';
import { fuzzCommand } from './commands/fuzz';
import { modelCommand, modelsCommand } from './commands/models';
import { corporaCommand, corpusCheckCommand, importCommand, piecesCommand } from './commands/corpus';
import { backupCommand, backupsCommand, checkLibraryCommand, rescueCommand, restoreCommand } from './commands/library';
import { damagedLibraryError, isCorruption } from '../engine/store/health';

export const COMMANDS: readonly Command[] = [infoCommand, serveCommand, importCommand, corporaCommand, piecesCommand, corpusCheckCommand, vocabCommand, trainCommand, scoreCommand, fidelityCommand, modelsCommand, modelCommand, generateCommand, generationsCommand, exportCommand, checkCommand, benchCommand, trainBaseCommand, fuzzCommand, backupCommand, backupsCommand, restoreCommand, checkLibraryCommand, rescueCommand];

const GLOBAL_OPTIONS: OptionSpec = {
  db: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `etude ${APP_VERSION}: the Etude composition studio from the command line`,
    '',
    'usage: etude <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'global options:',
    '  --db PATH   database file (default: $ETUDE_DB, else the Etude folder in your user-data directory)',
    '  --json      machine-readable output: one JSON object, or JSON lines for progress',
    '  --help      help for a command: etude <command> --help',
    '  --version   print the version',
  ].join('\n');
}

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  env: process.env,
};

/** Runs one command line; returns the exit code instead of exiting, so tests can call it. */
export async function runCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [name, ...rest] = argv;
  const wantsJson = argv.includes('--json');
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(helpText());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(APP_VERSION);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  let dbPath = resolveDbPath(undefined, io.env);
  try {
    if (!command) throw new UsageError(`unknown command "${name}"`);
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.out(`${command.usage}\n\n${command.summary}`);
      return 0;
    }
    const json = values.json === true;
    dbPath = resolveDbPath(values.db as string | undefined, io.env);
    const result = await command.run({ values, positionals, json, dbPath, out: io.out, err: io.err });
    if (json && result !== undefined) io.out(JSON.stringify(result));
    return 0;
  } catch (err) {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    // SQLite's "database disk image is malformed" never reaches a musician raw.
    const data = toErrorData(isCorruption(err) ? damagedLibraryError(dbPath) : err);
    const message = (data.message.split('\n')[0] ?? data.message).trim();
    if (wantsJson) io.out(JSON.stringify({ ok: false, error: { ...data, message } }));
    io.err(`etude: ${message}${usage ? ' (see etude --help)' : ''}`);
    return usage ? 2 : 1;
  }
}
