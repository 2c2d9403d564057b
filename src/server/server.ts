import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import fs from 'node:fs';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Engine } from '../engine/engine';
import type { Reply } from '../shared/reply';
import type { ErrorKind } from '../shared/errors';
import { checkAccess, newToken, tokenCookie } from './auth';
import { contentType, resolveStatic } from './static';
import { parseClientFrame, type ServerFrame } from './frames';
import { exportFolder, writeRefusal } from './confine';

export interface ServerOptions {
  engine: Engine;
  /** 0 picks a free port. */
  port?: number;
  /** Built renderer to serve as the web studio; API-only when absent. */
  staticDir?: string;
  token?: string;
  /** Where calls over HTTP may write files (exports); the export folder setting, else home, when absent. */
  exportFolder?: string;
}

export interface RunningServer {
  url: string;
  /** The URL to open in a browser: carries the token once, then a cookie takes over. */
  studioUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Fits one 64 MB MIDI file in base64 with room to spare; the renderer batches uploads far below this. */
const MAX_BODY_BYTES = 100 * 1024 * 1024;
const LOOPBACK = '127.0.0.1';

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  unknown_method: 404,
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  cancelled: 409,
  invalid_database: 500,
  internal: 500,
};

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

/** The web studio's CSP; the page also carries it as a meta tag (the desktop app loads from file://). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...SECURITY_HEADERS });
  res.end(JSON.stringify(body));
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
  res.end(text + '\n');
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The request target as a URL on our origin, or null where it is not one (`//[`): refused with 400 before anything else. */
function targetOf(req: http.IncomingMessage, port: number): URL | null {
  try {
    const url = new URL(req.url ?? '/', `http://${LOOPBACK}:${port}`);
    // A target that names another origin ("//evil.example/x") is not a path of ours.
    return url.origin === `http://${LOOPBACK}:${port}` ? url : null;
  } catch {
    return null;
  }
}

function statusOf(reply: Reply<unknown>): number {
  return reply.ok ? 200 : STATUS_BY_KIND[reply.error.kind];
}

/**
 * Serves the engine on 127.0.0.1 only: POST /api/<method> with a JSON body, a WebSocket at /ws for
 * calls and pushed events, and the built renderer as the web studio. Every request needs the
 * per-launch token and, when a browser sends one, our own Origin.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { engine } = options;
  const token = options.token ?? newToken();
  const staticDir = options.staticDir && fs.existsSync(options.staticDir) ? fs.realpathSync(options.staticDir) : undefined;
  let port = options.port ?? 0;
  const sockets = new Set<WebSocket>();

  /** The engine's answer, after refusing a write outside the export folder. */
  async function call(method: unknown, input: unknown): Promise<Reply<unknown>> {
    const refusal = typeof method === 'string' ? writeRefusal(method, input, options.exportFolder ?? exportFolder(engine.store)) : null;
    if (refusal) return { ok: false, error: { kind: 'invalid_input', message: refusal } };
    return engine.call(method, input);
  }

  const server = http.createServer((req, res) => {
    void handleRequest(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendText(res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}`);
      else res.destroy();
    });
  });

  async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = targetOf(req, port);
    if (!url) {
      sendText(res, 400, 'bad request: the request target is not a path');
      return;
    }
    const verdict = checkAccess(req, url, port, token);
    if (!verdict.ok) {
      sendText(res, verdict.status, `forbidden: ${verdict.reason}`);
      return;
    }

    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        sendText(res, 405, 'use POST with a JSON body');
        return;
      }
      let method: string;
      try {
        method = decodeURIComponent(url.pathname.slice('/api/'.length));
      } catch {
        sendText(res, 400, 'bad request: the method name is not valid percent-encoding');
        return;
      }
      let input: unknown = {};
      try {
        const body = await readBody(req);
        if (body.length > 0) input = JSON.parse(body.toString('utf8'));
      } catch (err) {
        sendJson(res, 400, { ok: false, error: { kind: 'invalid_input', message: `request body is not JSON: ${(err as Error).message}` } });
        return;
      }
      const reply = await call(method, input);
      sendJson(res, statusOf(reply), reply);
      return;
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'method not allowed');
      return;
    }
    // The token arrives once in the URL; move it into an HttpOnly cookie and out of the address bar.
    if (url.searchParams.has('token')) {
      url.searchParams.delete('token');
      res.writeHead(303, {
        Location: url.pathname + url.search,
        'Set-Cookie': `${tokenCookie(port)}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        ...SECURITY_HEADERS,
      });
      res.end();
      return;
    }
    if (!staticDir) {
      sendText(res, 404, 'the web studio is not built (run npm run build); the API is at /api and /ws');
      return;
    }
    const file = resolveStatic(staticDir, url.pathname) ?? (url.pathname.includes('.') ? null : resolveStatic(staticDir, '/'));
    if (!file) {
      sendText(res, 404, 'not found');
      return;
    }
    const headers: Record<string, string> = { 'Content-Type': contentType(file), ...SECURITY_HEADERS };
    if (file.endsWith('.html')) {
      headers['Content-Security-Policy'] = CONTENT_SECURITY_POLICY;
      headers['Cache-Control'] = 'no-store';
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') res.end();
    else fs.createReadStream(file).pipe(res);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  const refuseUpgrade = (socket: Duplex, status: number, reason: string) =>
    socket.end(`HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : status === 404 ? 'Not Found' : 'Forbidden'}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${reason}\n`);
  server.on('upgrade', (req, socket, head) => {
    // Nothing a client sends may throw here: an exception in this handler would end the server.
    socket.on('error', () => socket.destroy());
    try {
      const url = targetOf(req, port);
      if (!url) return refuseUpgrade(socket, 400, 'bad request: the request target is not a path');
      const verdict = url.pathname === '/ws' ? checkAccess(req, url, port, token) : { ok: false as const, status: 404, reason: 'not found' };
      if (!verdict.ok) return refuseUpgrade(socket, verdict.status, verdict.reason);
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    } catch (err) {
      refuseUpgrade(socket, 400, `bad request: ${err instanceof Error ? err.message : String(err)}`);
    }
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    const send = (frame: ServerFrame): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    ws.on('message', (data, isBinary) => {
      const frame = parseClientFrame(isBinary ? null : data.toString());
      if (!frame.ok) {
        send({ type: 'reply', id: frame.id, reply: { ok: false, error: { kind: 'invalid_input', message: frame.message } } });
        return;
      }
      void call(frame.value.method, frame.value.input).then((reply) => send({ type: 'reply', id: frame.value.id, reply }));
    });
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => sockets.delete(ws));
  });

  const unsubscribe = engine.on((message) => {
    const text = JSON.stringify({ type: 'event', ...message } satisfies ServerFrame);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://${LOOPBACK}:${port}`;

  return {
    url,
    studioUrl: `${url}/?token=${token}`,
    port,
    token,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
