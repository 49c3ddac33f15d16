import type { IncomingMessage } from 'node:http';

/** A form or query string that is not valid `application/x-www-form-urlencoded` UTF-8. */
export class MalformedFormError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedFormError';
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses urlencoded pairs strictly, keeping repeated keys (the OpenID layer refuses them, §4.1).
 * `+` and `%20` both mean a space (docs/protocol.md#postback); a bad percent sequence or bytes that are
 * not UTF-8 are refused instead of being silently replaced by U+FFFD as URLSearchParams would.
 */
export function parseFormStrict(input: Buffer | string): Array<[string, string]> {
  let text: string;
  try {
    text = typeof input === 'string' ? input : strictUtf8.decode(input);
  } catch {
    throw new MalformedFormError('body is not UTF-8');
  }
  const pairs: Array<[string, string]> = [];
  if (text === '') return pairs;
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push([decode(rawKey), decode(rawValue)]);
  }
  return pairs;
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component.replace(/\+/g, ' '));
  } catch {
    throw new MalformedFormError('malformed percent-encoding or non-UTF-8 text');
  }
}

/** The raw query string of a request URL (without `?`), or '' when there is none. */
export function rawQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q + 1);
}

/** A request's body, read up to `limit` bytes; 'too_large' (without reading the rest) past that, or when Content-Length says so. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return 'too_large';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return 'too_large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The parameters of a browser request, strictly parsed: the query string of a GET, the
 * `application/x-www-form-urlencoded` body (at most `limit` bytes) of a POST. Null when they are not
 * a valid form (another content type, too large, malformed).
 */
export async function readFormParams(req: IncomingMessage & { originalUrl?: string }, limit: number): Promise<Array<[string, string]> | null> {
  let input: Buffer | string;
  if (req.method === 'POST') {
    if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers['content-type'] ?? '')) return null;
    const body = await readBody(req, limit);
    if (body === 'too_large') return null;
    input = body;
  } else {
    input = rawQuery(req.originalUrl ?? req.url ?? '');
  }
  try {
    return parseFormStrict(input);
  } catch (err) {
    if (err instanceof MalformedFormError) return null;
    throw err;
  }
}

/** The value of cookie `name` in a request's Cookie header; undefined when absent or not decodable. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}
