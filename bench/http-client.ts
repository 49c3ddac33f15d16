import { Agent, request as httpRequest } from 'node:http';

/**
 * The driver's HTTP: keep-alive connections shared by every simulated browser, RP and AW (one
 * socket per concurrent flow at most), a count of the requests sent, and per-flow cookie jars.
 */

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** A form (sent urlencoded) or a ready body with its content-type in `headers`. */
  form?: Record<string, string> | Array<[string, string]>;
  body?: string;
  jar?: CookieJar;
}

export class HttpClient {
  /** Requests sent so far; the runner divides its change over a window by the flows completed. */
  requests = 0;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });

  request(url: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const target = new URL(url);
    const headers: Record<string, string> = { ...options.headers };
    let body = options.body;
    if (options.form !== undefined) {
      body = new URLSearchParams(options.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const cookie = options.jar?.header(target.pathname);
    if (cookie) headers.cookie = cookie;
    this.requests += 1;
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { agent: this.agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method: options.method ?? 'GET', headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            options.jar?.store(res.headers['set-cookie'] ?? []);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** One browser's cookies for one host: name, value and path; expired ones are dropped. */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  store(setCookie: readonly string[]): void {
    for (const line of setCookie) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      let path = '/';
      let expired = false;
      for (const attribute of attributes) {
        const [key, ...rest] = attribute.trim().split('=');
        const value = rest.join('=');
        const lower = key!.toLowerCase();
        if (lower === 'path') path = value;
        else if (lower === 'max-age' && Number(value) <= 0) expired = true;
        else if (lower === 'expires' && Date.parse(value) < Date.now()) expired = true;
      }
      const key = `${name}\n${path}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { value: pair!.slice(eq + 1), path });
    }
  }

  header(requestPath: string): string {
    const parts: string[] = [];
    for (const [key, { value, path }] of this.cookies) {
      if (requestPath === path || requestPath.startsWith(path.endsWith('/') ? path : `${path}/`)) parts.push(`${key.split('\n')[0]}=${value}`);
    }
    return parts.join('; ');
  }
}

/** The Location header of a redirect, or an error naming what came instead. */
export function redirectTarget(res: HttpResponse, what: string): string {
  const location = res.headers.location;
  if (res.status < 300 || res.status > 399 || typeof location !== 'string') {
    throw new Error(`${what}: expected a redirect, got ${res.status}: ${res.body.slice(0, 200)}`);
  }
  return location;
}
