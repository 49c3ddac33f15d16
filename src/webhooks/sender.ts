import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { hostLiteral } from '../shared/net/address-policy';
import { AddressRefusedError, OutboundGuard } from '../shared/net/outbound-guard';
import { FailureClass } from './delivery-failure';

export interface SendResult {
  /** The receiver's status code, or null when there was no HTTP answer. */
  statusCode: number | null;
  latencyMs: number;
  /** What went wrong, as a class; never the socket's own message (it would tell which ports are open). */
  failure: FailureClass | null;
  /** Node's error code (ECONNREFUSED, …), for the operator's log only. */
  errorCode: string | null;
}

/**
 * POSTs one signed delivery. Never throws: a timeout, a refused address or a network error is a
 * failed attempt with its class. Redirects are not followed (a receiver must answer 2xx itself).
 * Every address is checked by `guard` before a socket connects to it, literal or resolved.
 */
export function sendWebhook(url: string, headers: Record<string, string>, body: string, timeoutMs: number, guard: OutboundGuard): Promise<SendResult> {
  const started = process.hrtime.bigint();
  const latency = () => Number((process.hrtime.bigint() - started) / 1_000_000n);
  const target = new URL(url);
  let lookup: LookupFunction;
  try {
    ({ lookup } = guard.requestOptions(target));
  } catch (err) {
    if (!(err instanceof AddressRefusedError)) throw err;
    return Promise.resolve({ statusCode: null, failure: 'address_refused', errorCode: err.code, latencyMs: latency() });
  }
  return new Promise((resolve) => {
    // How far the attempt got, which names the failure: a receiver learns no more than that.
    // An address literal is not looked up: the socket connects straight away.
    let phase: 'resolve' | 'resolve_failed' | 'connect' | 'tls' | 'response' = hostLiteral(target.hostname) === null ? 'resolve' : 'connect';
    let timedOut = false;
    let settled = false;
    const finish = (result: Omit<SendResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, latencyMs: latency() });
    };
    const trackedLookup: LookupFunction = (hostname, options, callback) =>
      lookup(hostname, options, ((err: NodeJS.ErrnoException | null, ...rest: unknown[]) => {
        phase = err ? 'resolve_failed' : 'connect';
        (callback as (...args: unknown[]) => void)(err, ...rest);
      }) as typeof callback);
    const isHttps = target.protocol === 'https:';
    const send = isHttps ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'identity-services-webhooks/1', ...headers },
        lookup: trackedLookup,
        agent: false,
      },
      (res) => {
        // Read (and drop) the body so the socket closes cleanly; its content is not needed.
        res.resume();
        res.on('end', () => finish({ statusCode: res.statusCode ?? null, failure: null, errorCode: null }));
        res.on('error', (err: NodeJS.ErrnoException) => finish({ statusCode: res.statusCode ?? null, failure: 'response_failed', errorCode: err.code ?? null }));
      },
    );
    req.on('socket', (socket) => {
      socket.once('connect', () => (phase = isHttps ? 'tls' : 'response'));
      socket.once('secureConnect', () => (phase = 'response'));
    });
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy();
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      const errorCode = err.code ?? null;
      if (timedOut) return finish({ statusCode: null, failure: 'timeout', errorCode });
      if (err instanceof AddressRefusedError) return finish({ statusCode: null, failure: 'address_refused', errorCode });
      const failure = phase === 'resolve_failed' ? 'dns_failed' : phase === 'tls' ? 'tls_failed' : phase === 'response' ? 'response_failed' : 'connect_failed';
      finish({ statusCode: null, failure, errorCode });
    });
    req.end(body);
  });
}
