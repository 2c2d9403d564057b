/**
 * The engine's side of the file-reading process: each imported file is read there, with a time
 * limit (from the last sign of life: a tune book counts tune by tune) and a memory limit, so a
 * file that hangs, bloats or crashes the reader is refused by name and the import goes on. The
 * process is started on first use, kept for the next file, and started again after a failure.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EtudeError } from '../../shared/errors';
import type { FromParser, ToParser } from './protocol';
import type { FilePiece } from './read-file';

export interface ParserLimits {
  /** Seconds a file (or one tune of a tune book) may take. */
  seconds: number;
  /** Megabytes of JavaScript heap the reader may use. */
  memoryMb: number;
  /** Seconds a whole file may take, however many tunes it holds (by default scaled by its size: see `fileSeconds`). */
  fileSeconds?: number;
}

/**
 * The ceiling of one file: twice a tune's limit, plus a tune's limit a megabyte, at most six
 * tunes' worth. Real tune books read in well under a second a megabyte; a book of slow tunes
 * holds the imports behind it no longer than this.
 */
export function fileSeconds(limits: ParserLimits, bytes: number): number {
  return limits.fileSeconds ?? Math.min(6 * limits.seconds, 2 * limits.seconds + (limits.seconds * bytes) / 2 ** 20);
}

export const DEFAULT_PARSER_LIMITS: ParserLimits = { seconds: 10, memoryMb: 1536 };

interface Waiting {
  id: number;
  name: string;
  /** When the whole file must be done (performance.now() ms), and its ceiling in seconds. */
  due: number;
  ceiling: number;
  resolve(pieces: FilePiece[]): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout | null;
}

let nextId = 0;

function spawnParser(memoryMb: number): ChildProcess {
  const here = import.meta.url;
  const fromSource = here.endsWith('.ts');
  const entry = fromSource ? fileURLToPath(new URL('./parser-process.ts', here)) : path.join(path.dirname(fileURLToPath(here)), 'parser-process.js');
  return fork(entry, [], {
    // tsx by its full address: a bare 'tsx' would be looked up from the current folder, which for the CLI is the musician's.
    execArgv: [...(fromSource ? ['--import', import.meta.resolve('tsx')] : []), `--max-old-space-size=${memoryMb}`],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    // Under Electron the engine's node is Electron's: run it as plain Node.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
}

export class FileParser {
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private current: Waiting | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private stderr = '';

  constructor(private readonly limits: ParserLimits = DEFAULT_PARSER_LIMITS) {}

  /** Reads one file in the reading process; files are read one at a time, in the order asked. */
  read(name: string, bytes: Uint8Array): Promise<FilePiece[]> {
    const run = this.queue.then(() => this.readNow(name, bytes));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    const child = this.child;
    this.child = null;
    this.ready = null;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  }

  private start(): Promise<void> {
    const child = spawnParser(this.limits.memoryMb);
    this.child = child;
    this.stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000)));
    return new Promise<void>((resolve, reject) => {
      child.on('message', (message: FromParser) => {
        if (message.type === 'ready') resolve();
        else this.onMessage(message);
      });
      child.once('exit', (code, signal) => {
        reject(new EtudeError('unavailable', `the file reader stopped before it was ready (${signal ?? `code ${code}`})`));
        // A reader let go of (timed out and killed) dies later: its death is not the next file's fault.
        if (this.child !== child) return;
        this.child = null;
        this.ready = null;
        this.onExit(code, signal);
      });
      child.once('error', reject);
    });
  }

  private async readNow(name: string, bytes: Uint8Array): Promise<FilePiece[]> {
    this.ready ??= this.start();
    await this.ready;
    const child = this.child!;
    const ceiling = fileSeconds(this.limits, bytes.byteLength);
    return new Promise<FilePiece[]>((resolve, reject) => {
      const waiting: Waiting = { id: ++nextId, name, due: performance.now() + ceiling * 1000, ceiling, resolve, reject, timer: null };
      this.current = waiting;
      this.arm();
      child.send({ type: 'read', id: waiting.id, name, bytes, seconds: ceiling } satisfies ToParser);
    });
  }

  /** (Re)starts the time limit of the tune being read, never past the file's ceiling. */
  private arm(): void {
    const waiting = this.current;
    if (!waiting) return;
    if (waiting.timer) clearTimeout(waiting.timer);
    const left = waiting.due - performance.now();
    const wholeFile = left < this.limits.seconds * 1000;
    waiting.timer = setTimeout(() => {
      const reason = wholeFile ? `took longer than the ${Math.round(waiting.ceiling * 10) / 10} s a file may take to read` : `could not be read within ${this.limits.seconds} s`;
      this.settle(waiting.id, (w) => w.reject(new EtudeError('invalid_input', reason)));
      // Let go of it at once: the next file starts a fresh reader instead of waiting on (and being blamed for) this one's death.
      const stuck = this.child;
      this.child = null;
      this.ready = null;
      stuck?.kill('SIGKILL');
    }, Math.max(0, Math.min(left, this.limits.seconds * 1000)));
  }

  /** The reading process's id while one runs (for tests that check it does not outlive the engine). */
  get readerPid(): number | null {
    return this.child?.pid ?? null;
  }

  private settle(id: number, how: (w: Waiting) => void): void {
    const waiting = this.current;
    if (!waiting || waiting.id !== id) return;
    if (waiting.timer) clearTimeout(waiting.timer);
    this.current = null;
    how(waiting);
  }

  private onMessage(message: FromParser): void {
    if (message.type === 'alive') this.arm();
    else if (message.type === 'pieces') this.settle(message.id, (w) => w.resolve(message.pieces));
    else if (message.type === 'failed') this.settle(message.id, (w) => w.reject(EtudeError.fromData(message.error)));
  }

  /** The reader died while reading a file: that file is refused, saying why as well as can be told. */
  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const waiting = this.current;
    if (!waiting) return;
    const outOfMemory = /heap limit|out of memory|Allocation failed/i.test(this.stderr);
    const reason = outOfMemory ? `needs more than ${this.limits.memoryMb} MB to read` : `made the reader stop (${signal ?? `exit code ${code}`}): the file is damaged or hostile`;
    this.settle(waiting.id, (w) => w.reject(new EtudeError('invalid_input', reason)));
  }
}
