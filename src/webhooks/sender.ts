import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, LookupFunction } from 'node:net';
import { checkResolvedAddress, UrlPolicy, WebhookUrlError } from './url-policy';

export interface SendResult {
  /** The receiver's status code, or null when there was no HTTP answer. */
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

/**
 * Resolves like the system resolver, then refuses the connection when any address is private,
 * loopback or link-local: checking at connect time (not only when the endpoint was saved) stops a
 * name that is later re-pointed at an internal address (DNS rebinding).
 */
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
      const first = list[0]!;
      callback(null, first.address, first.family);
    });
  };
}

/**
 * POSTs one signed delivery. Never throws: a timeout, a refused address or a network error is a
 * failed attempt with its reason. Redirects are not followed (a receiver must answer 2xx itself).
 */
export function sendWebhook(url: string, headers: Record<string, string>, body: string, timeoutMs: number, policy: UrlPolicy): Promise<SendResult> {
  const started = process.hrtime.bigint();
  const latency = () => Number((process.hrtime.bigint() - started) / 1_000_000n);
  const literal = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal)) {
    // Node does not resolve (nor call `lookup` for) an address literal: check it here.
    try {
      checkResolvedAddress(literal, policy);
    } catch (refused) {
      return Promise.resolve({ statusCode: null, error: (refused as Error).message, latencyMs: latency() });
    }
  }
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<SendResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, latencyMs: latency() });
    };
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'identity-services-webhooks/1', ...headers },
        lookup: guardedLookup(policy),
        agent: false,
      },
      (res) => {
        // Read (and drop) the body so the socket closes cleanly; its content is not needed.
        res.resume();
        res.on('end', () => finish({ statusCode: res.statusCode ?? null, error: null }));
        res.on('error', (err) => finish({ statusCode: res.statusCode ?? null, error: err.message }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (err) => finish({ statusCode: null, error: err instanceof WebhookUrlError ? err.message : err.message.slice(0, 500) }));
    req.end(body);
  });
}
