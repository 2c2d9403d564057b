import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The session cookie's name: one a port, because cookies belong to a host and not to a port, and
 * two studios on 127.0.0.1 would otherwise overwrite each other's.
 */
export function tokenCookie(port: number): string {
  return `etude_token_${port}`;
}

/** A cookie value decoded, or as sent where it is not valid percent-encoding (another app's cookie, "50%"). */
function decodeCookie(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), decodeCookie(part.slice(eq + 1).trim()));
  }
  return cookies;
}

/** The token a request presents: query `token`, `Authorization: Bearer`, or the session cookie. */
export function presentedToken(req: IncomingMessage, url: URL, port: number): string | null {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim();
  return parseCookies(req.headers.cookie).get(tokenCookie(port)) ?? null;
}

/** Host names under which the studio answers; anything else is a DNS-rebinding attempt. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export function allowedOrigins(port: number): Set<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
}

export type AccessVerdict = { ok: true } | { ok: false; status: 403; reason: string };

/**
 * Decides whether a request may reach the engine. A browser always sends Origin on cross-site
 * requests and WebSocket upgrades, so a foreign Origin is refused even with a valid token;
 * clients without Origin (CLI, curl) still need the token.
 */
export function checkAccess(req: IncomingMessage, url: URL, port: number, token: string): AccessVerdict {
  // Node keeps the first of several Host headers; a proxy may read the last. One name only.
  const hosts = (req.rawHeaders ?? []).filter((h, i) => i % 2 === 0 && h.toLowerCase() === 'host').length;
  if (hosts > 1) return { ok: false, status: 403, reason: `${hosts} Host headers: a request names one host` };
  const host = req.headers.host ?? '';
  if (!allowedHosts(port).has(host)) return { ok: false, status: 403, reason: `host ${host || '(none)'} is not served` };
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedOrigins(port).has(origin)) {
    return { ok: false, status: 403, reason: `origin ${origin} is not allowed` };
  }
  const presented = presentedToken(req, url, port);
  if (!presented || !tokensEqual(presented, token)) return { ok: false, status: 403, reason: 'missing or wrong token' };
  return { ok: true };
}
