import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, LookupFunction } from 'node:net';
// The one import of the outbound address policy for RP discovery: the same rules as webhooks
// (https only, no private, loopback or link-local addresses, checked again at connect time).
import { checkResolvedAddress, checkWebhookUrl, WebhookUrlError, type UrlPolicy } from '../webhooks/url-policy';

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
  get(url: string, accept: string): Promise<FetchedDocument>;
}

/** Resolves, then refuses the connection when any address the name resolves to is not allowed. */
function guardedLookup(policy: UrlPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as unknown as LookupAddress[];
      try {
        for (const { address } of list) checkResolvedAddress(address, policy);
      } catch (refused) {
        return callback(refused as NodeJS.ErrnoException, '', 4);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

function checkTarget(raw: string, policy: UrlPolicy): URL {
  try {
    const url = checkWebhookUrl(raw, policy);
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    // Node does not call `lookup` for an address literal: check it here.
    if (isIP(literal)) checkResolvedAddress(literal, policy);
    return url;
  } catch (err) {
    if (err instanceof WebhookUrlError) throw new RealmFetchError('url_refused', err.message);
    throw err;
  }
}

function once(url: URL, accept: string, options: RealmFetchOptions, signal: AbortSignal): Promise<{ res: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: 'GET',
        headers: { accept, 'user-agent': 'identity-services-rp-discovery/1' },
        lookup: guardedLookup(options.policy),
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
  if (err instanceof WebhookUrlError) return new RealmFetchError('address_refused', err.message);
  return new RealmFetchError('network_error', (err as Error).message.slice(0, 200));
}

/** The real fetcher: node's http(s) client under the address policy. */
export function createRealmFetcher(options: RealmFetchOptions): RealmFetcher {
  return {
    async get(raw, accept) {
      const signal = AbortSignal.timeout(options.timeoutMs);
      let url = checkTarget(raw, options.policy);
      for (let hop = 0; ; hop++) {
        let answer: { res: IncomingMessage; body: string };
        try {
          answer = await once(url, accept, options, signal);
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
            next = new URL(location, url).toString();
          } catch {
            throw new RealmFetchError('bad_redirect', 'the redirect has no valid Location');
          }
          url = checkTarget(next, options.policy);
          continue;
        }
        const header = res.headers['x-xrds-location'];
        return {
          url: url.toString(),
          status,
          contentType: (res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase(),
          xrdsLocation: Array.isArray(header) ? header[0] : header,
          body,
        };
      }
    },
  };
}
