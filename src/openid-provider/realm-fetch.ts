import { IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
// The same outbound rules as webhooks: https only, no private, loopback or link-local address in
// any literal form, every resolved address checked again at connect time.
import { checkOutboundUrl, OutboundUrlError, type UrlPolicy } from '../shared/net/url-policy';
import { AddressRefusedError, OutboundGuard, Resolver } from '../shared/net/outbound-guard';

/**
 * The outbound GET that RP discovery makes to an address an unauthenticated browser chose (the
 * realm). Every hop is checked against the SSRF address policy, the whole fetch has one deadline,
 * the body is capped, and HTTP redirects are followed only a few times, each target checked again.
 */

export type { UrlPolicy as RealmFetchPolicy };

export interface RealmFetchOptions {
  policy: UrlPolicy;
  /** Deadline for the whole fetch, redirects included. */
  timeoutMs: number;
  /** Longest body read; a longer one fails the fetch. */
  maxBytes: number;
  /** HTTP redirects followed at most. */
  maxRedirects: number;
  /** Tests inject DNS answers; the system resolver otherwise. */
  resolve?: Resolver;
}

export interface FetchedDocument {
  /** The URL that finally answered, after redirects. */
  url: string;
  status: number;
  /** The media type, lower case, without parameters; '' when absent. */
  contentType: string;
  /** The `X-XRDS-Location` header, when sent. */
  xrdsLocation: string | undefined;
  body: string;
}

/** A fetch that did not produce a document; `reason` is a short snake_case code for the record. */
export class RealmFetchError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'RealmFetchError';
  }
}

export interface RealmFetcher {
  /**
   * GETs `url` under the address policy. `deadline` ends it (as `timeout`) when given, so that
   * several fetches of one discovery share one deadline; each fetch has its own otherwise.
   */
  get(url: string, accept: string, deadline?: AbortSignal): Promise<FetchedDocument>;
}

function checkTarget(raw: string, policy: UrlPolicy, guard: OutboundGuard): { url: URL; lookup: ReturnType<OutboundGuard['requestOptions']>['lookup'] } {
  try {
    const url = checkOutboundUrl(raw, policy);
    // Checks an address literal now (Node never calls `lookup` for one) and names at connect time.
    return { url, lookup: guard.requestOptions(url).lookup };
  } catch (err) {
    if (err instanceof OutboundUrlError) throw new RealmFetchError('url_refused', err.message);
    if (err instanceof AddressRefusedError) throw new RealmFetchError('address_refused', err.message);
    throw err;
  }
}

function once(target: ReturnType<typeof checkTarget>, accept: string, options: RealmFetchOptions, signal: AbortSignal): Promise<{ res: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target.url,
      {
        method: 'GET',
        headers: { accept, 'user-agent': 'identity-services-rp-discovery/1' },
        lookup: target.lookup,
        agent: false,
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            req.destroy(new RealmFetchError('too_large', `the document is larger than ${options.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ res, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function asFetchError(err: unknown, signal: AbortSignal, timeoutMs: number): RealmFetchError {
  if (err instanceof RealmFetchError) return err;
  if (signal.aborted) return new RealmFetchError('timeout', `no answer within ${timeoutMs} ms`);
  if (err instanceof AddressRefusedError) return new RealmFetchError('address_refused', err.message);
  return new RealmFetchError('network_error', (err as Error).message.slice(0, 200));
}

/** The real fetcher: node's http(s) client under the address policy. */
export function createRealmFetcher(options: RealmFetchOptions): RealmFetcher {
  const guard = new OutboundGuard({ allowPrivate: options.policy.allowPrivate, resolve: options.resolve });
  return {
    async get(raw, accept, deadline) {
      const signal = deadline ?? AbortSignal.timeout(options.timeoutMs);
      let target = checkTarget(raw, options.policy, guard);
      for (let hop = 0; ; hop++) {
        let answer: { res: IncomingMessage; body: string };
        try {
          answer = await once(target, accept, options, signal);
        } catch (err) {
          throw asFetchError(err, signal, options.timeoutMs);
        }
        const { res, body } = answer;
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (status >= 300 && status < 400 && location !== undefined) {
          if (hop >= options.maxRedirects) throw new RealmFetchError('too_many_redirects', `more than ${options.maxRedirects} redirects`);
          let next: string;
          try {
            next = new URL(location, target.url).toString();
          } catch {
            throw new RealmFetchError('bad_redirect', 'the redirect has no valid Location');
          }
          target = checkTarget(next, options.policy, guard);
          continue;
        }
        const header = res.headers['x-xrds-location'];
        return {
          url: target.url.toString(),
          status,
          contentType: (res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase(),
          xrdsLocation: Array.isArray(header) ? header[0] : header,
          body,
        };
      }
    },
  };
}
