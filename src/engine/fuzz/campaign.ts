/**
 * Fuzz campaigns through the studio's real code: mutated MIDI and ABC files imported into a real
 * database through the reader process, the corpus then checked, listed and encoded; malformed
 * HTTP and WebSocket requests sent to a real `etude serve`. Each reports what happened to every
 * case, so a campaign says how many crashes, hangs and runaway memory it found (the targets: none).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { importSources, type ImportSource } from '../corpus/import';
import { checkCorpus } from '../corpus/check';
import { buildVocabulary } from '../encode/build-vocabulary';
import { DEFAULT_PARSER_LIMITS, FileParser, type ParserLimits } from '../parse/file-parser';
import type { FilePiece } from '../parse/read-file';
import { Store } from '../store/store';
import { mutateAbc, mutateMidi, randomOf, type Random } from './mutate';

export interface SeedFile {
  name: string;
  bytes: Uint8Array;
}

export interface FileCampaignReport {
  cases: number;
  midi: number;
  abc: number;
  /** Files that imported (whole), and files refused with a reason. */
  imported: number;
  refused: number;
  /** Refused because the reader process stopped (an abort or crash it could not survive), hung past the limit, or ran out of memory. */
  readerStopped: number;
  /** The first cases that stopped the reader, hung or ran out of memory, by name and reason. */
  stopped: string[];
  timedOut: number;
  outOfMemory: number;
  /** Refusals whose reason is an unexpected error (a bug, not a verdict on the file). */
  unexpected: string[];
  slowestMs: number;
  slowestCase: string | null;
  peakRssMb: number;
  /** After the campaign: SQLite's integrity check, half-written pieces, and the corpus-wide operations. */
  integrity: string;
  halfWritten: number;
  corpusOperations: string[];
  seconds: number;
}

/** A reader that times each file (the campaign's view of the reader process). */
class TimedReader {
  slowestMs = 0;
  slowestCase: string | null = null;
  constructor(private readonly inner: FileParser) {}
  async read(name: string, bytes: Uint8Array): Promise<FilePiece[]> {
    const t0 = performance.now();
    try {
      return await this.inner.read(name, bytes);
    } finally {
      const ms = performance.now() - t0;
      if (ms > this.slowestMs) {
        this.slowestMs = ms;
        this.slowestCase = name;
      }
    }
  }
}

/** Share of cases made from ABC seeds (the ABC reader is the more fragile one). */
const ABC_SHARE = 0.4;

function mutatedCase(seeds: readonly SeedFile[], random: Random, index: number): ImportSource {
  const abcSeeds = seeds.filter((s) => s.name.endsWith('.abc'));
  const midiSeeds = seeds.filter((s) => !s.name.endsWith('.abc'));
  const pool = abcSeeds.length > 0 && (midiSeeds.length === 0 || random() < ABC_SHARE) ? abcSeeds : midiSeeds;
  const seed = pool[Math.floor(random() * pool.length)]!;
  const abc = seed.name.endsWith('.abc');
  const bytes = abc ? Buffer.from(mutateAbc(Buffer.from(seed.bytes).toString('utf8'), random), 'utf8') : Buffer.from(mutateMidi(seed.bytes, random));
  const name = `case-${index}-${seed.name}`;
  return { name, path: null, read: () => bytes };
}

/** Names of the cases kept in a report; `keep` writes every such case's bytes to a folder, to reproduce it. */
const STOPPED_LISTED = 20;

export async function fileCampaign(options: {
  cases: number;
  seed: number;
  seeds: SeedFile[];
  dir: string;
  limits?: ParserLimits;
  onProgress?: (done: number) => void;
  keep?: string;
}): Promise<FileCampaignReport> {
  const started = performance.now();
  const random = randomOf(options.seed);
  const store = Store.open(path.join(options.dir, 'fuzz.db'));
  const parser = new FileParser(options.limits ?? DEFAULT_PARSER_LIMITS);
  const reader = new TimedReader(parser);
  const report: FileCampaignReport = {
    cases: 0, midi: 0, abc: 0, imported: 0, refused: 0, readerStopped: 0, stopped: [], timedOut: 0, outOfMemory: 0, unexpected: [],
    slowestMs: 0, slowestCase: null, peakRssMb: 0, integrity: '', halfWritten: 0, corpusOperations: [], seconds: 0,
  };
  let peak = process.memoryUsage().rss;
  try {
    const corpus = store.corpora.create('Fuzz');
    const BATCH = 50;
    for (let from = 0; from < options.cases; from += BATCH) {
      const sources = Array.from({ length: Math.min(BATCH, options.cases - from) }, (_, i) => mutatedCase(options.seeds, random, from + i));
      for (const s of sources) {
        if (s.name.endsWith('.abc')) report.abc++;
        else report.midi++;
      }
      const summary = await importSources(store.corpora, corpus.id, sources, [], { parser: reader });
      report.cases += sources.length;
      report.imported += sources.length - summary.failed.length;
      report.refused += summary.failed.length;
      for (const f of summary.failed) {
        const stopped = /made the reader stop/.test(f.reason);
        const hung = /could not be read within/.test(f.reason);
        const bloated = /needs more than \d+ MB/.test(f.reason);
        if (stopped) report.readerStopped++;
        else if (hung) report.timedOut++;
        else if (bloated) report.outOfMemory++;
        else if (/^unexpected error/.test(f.reason)) report.unexpected.push(`${f.file}: ${f.reason}`);
        if (stopped || hung || bloated) {
          if (report.stopped.length < STOPPED_LISTED) report.stopped.push(`${f.file}: ${f.reason}`);
          const source = sources.find((s) => s.name === f.file);
          if (options.keep && source) fs.writeFileSync(path.join(options.keep, f.file), source.read());
        }
      }
      peak = Math.max(peak, process.memoryUsage().rss);
      options.onProgress?.(report.cases);
    }
    report.integrity = store.integrityCheck();
    report.halfWritten = store.corpora.halfWrittenPieces();
    // What a musician does next with such a corpus must work too.
    const operations: [string, () => unknown][] = [
      ['corpus check', () => checkCorpus(store.corpora, corpus.id)],
      ['piece list', () => store.corpora.listPieces({ corpusId: corpus.id, limit: 10_000 })],
    ];
    for (const [label, run] of operations) {
      const t0 = performance.now();
      try {
        run();
        report.corpusOperations.push(`${label}: ok in ${Math.round(performance.now() - t0)} ms`);
      } catch (err) {
        report.corpusOperations.push(`${label}: FAILED: ${(err as Error).message}`);
      }
    }
    const t0 = performance.now();
    try {
      if (report.imported > 0) await buildVocabulary(store, { corpusId: corpus.id, encoding: 'events' });
      report.corpusOperations.push(`events vocabulary: ok in ${Math.round(performance.now() - t0)} ms`);
    } catch (err) {
      report.corpusOperations.push(`events vocabulary: ${/nothing to encode/.test((err as Error).message) ? 'ok (nothing to encode)' : `FAILED: ${(err as Error).message}`}`);
    }
  } finally {
    await parser.close();
    store.close();
  }
  report.slowestMs = Math.round(reader.slowestMs);
  report.slowestCase = reader.slowestCase;
  report.peakRssMb = Math.round(peak / 2 ** 20);
  report.seconds = Math.round(performance.now() - started) / 1000;
  return report;
}

/** The real files the file campaign mutates: MIDI of the shared corpora and the studio's own ABC. */
export function seedFiles(dirs: string[]): SeedFile[] {
  const out: SeedFile[] = [];
  for (const dir of dirs) {
    for (const name of fs.readdirSync(dir).sort()) {
      if (!/\.(mid|midi|abc)$/i.test(name)) continue;
      const bytes = fs.readFileSync(path.join(dir, name));
      if (bytes.length <= 200_000) out.push({ name, bytes });
    }
  }
  return out;
}

export interface ServerCampaignReport {
  cases: number;
  /** Times the server stopped answering (it must never). */
  crashes: number;
  /** Answers by status, to see what malformed requests got. */
  statuses: Record<string, number>;
  seconds: number;
}

/** Requests a server must refuse without falling over: malformed targets, cookies, headers, upgrades, bodies. */
function malformedRequest(random: Random, port: number, token: string): string {
  const host = `127.0.0.1:${port}`;
  const targets = ['//[', '/%', '/%zz', '/api/%E0%A4%A', '/api/engine.ping?x=%', '//evil.example/ws', '/ws?token=%', '/../../etc/passwd', `/ws?token=${token}%`, '*', 'http://[::1', '/\u0000'];
  const cookies = ['progress=50%', 'a=%E0%A4%A', `etude_token_${port}=${token}%`, '=;;=;', `etude_token_${port}=%${token}`, 'x'.repeat(9000)];
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const lines = [`${pick(['GET', 'POST', 'PUT', 'OPTIONS', 'G\u0000T'])} ${pick(targets)} HTTP/1.1`, `Host: ${pick([host, 'evil.example', '', '[::1'])}`];
  if (random() < 0.6) lines.push('Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==');
  if (random() < 0.7) lines.push(`Cookie: ${pick(cookies)}`);
  if (random() < 0.3) lines.push(`Origin: ${pick([`http://${host}`, 'http://evil.example', 'null', '%'])}`);
  if (random() < 0.3) lines.push(`Content-Length: ${pick(['-1', '99999999999', 'abc', '5'])}`);
  if (random() < 0.2) lines.push(`Authorization: Bearer ${pick([token, `${token}%`, '', 'x'])}`);
  return `${lines.join('\r\n')}\r\n\r\n${random() < 0.3 ? '{"not json' : ''}`;
}

function send(port: number, request: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(3000, () => socket.destroy());
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) socket.end();
    });
    socket.on('error', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.write(request, 'latin1');
  });
}

async function alive(port: number, token: string): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/engine.ping`, { method: 'POST', body: '{}', headers: { Authorization: `Bearer ${token}` } });
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Starts a real `etude serve` and sends it malformed requests, checking after each that it still answers. */
export async function serverCampaign(options: { cases: number; seed: number; dir: string; etudeBin: string }): Promise<ServerCampaignReport> {
  const started = performance.now();
  const random = randomOf(options.seed);
  const child = spawn(process.execPath, [options.etudeBin, 'serve', '--port', '0', '--json', '--db', path.join(options.dir, 'serve.db')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const report: ServerCampaignReport = { cases: 0, crashes: 0, statuses: {}, seconds: 0 };
  try {
    const first = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`etude serve exited (code ${code}) before it listened`)));
    });
    const { port, url } = JSON.parse(first) as { port: number; url: string };
    const token = new URL(url).searchParams.get('token')!;
    for (let i = 0; i < options.cases; i++) {
      const answer = await send(port, malformedRequest(random, port, token));
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 'closed';
      report.statuses[status] = (report.statuses[status] ?? 0) + 1;
      report.cases++;
      if (child.exitCode !== null || !(await alive(port, token))) {
        report.crashes++;
        break;
      }
    }
  } finally {
    child.kill('SIGTERM');
  }
  report.seconds = Math.round(performance.now() - started) / 1000;
  return report;
}
