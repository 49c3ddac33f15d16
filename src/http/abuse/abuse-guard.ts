import { createHash } from 'node:crypto';
import { Request, RequestHandler, Response } from 'express';
import { clientKey } from '../../shared/net/address-policy';
import { CounterStore } from './counter-store';

export interface AbuseSettings {
  /** Length of every rate-limit window. */
  windowSeconds: number;
  /** Wrong API keys or client secrets from one source, within `failureWindowSeconds`, that lock it out. */
  failureLimit: number;
  failureWindowSeconds: number;
  lockoutSeconds: number;
  /** Behind a trusted proxy the client is the last X-Forwarded-For entry (the one our proxy appended). */
  trustProxy: boolean;
}

/** A source locked out after repeated wrong credentials, for the audit trail. */
export interface Lockout {
  /** `ows_auth` (wrong API keys) or `oauth` (wrong client credentials). */
  endpoint: string;
  /** The customer whose endpoint was attacked, when the URL names one. */
  slug: string | null;
  address: string;
  failures: number;
  lockoutSeconds: number;
}

/**
 * Abuse limits: request rates per address, API key, client and token, and lockouts after repeated
 * wrong credentials. Counting lives in a CounterStore (Redis, or memory while Redis is down).
 */
export class AbuseGuard {
  constructor(
    private readonly store: CounterStore,
    private readonly settings: AbuseSettings,
    private readonly onLockout: (lockout: Lockout) => Promise<void>,
  ) {}

  /**
   * Counts one request of `bucket` for `key`; the seconds to wait when it is over `max`, else 0. The
   * window is RATE_LIMIT_WINDOW_SECONDS unless the limit names its own (the privacy center's hourly ones).
   */
  async hit(bucket: string, key: string, max: number, windowSeconds: number = this.settings.windowSeconds): Promise<number> {
    const { hits, resetInMs } = await this.store.increment(`rate:${bucket}:${key}`, windowSeconds * 1000);
    return hits > max ? Math.max(1, Math.ceil(resetInMs / 1000)) : 0;
  }

  /** Middleware: refuses with 429 once the request's key (by default its source address) passes `max` in a window. */
  limit(bucket: string, max: number, keyOf: (req: Request) => string = (req) => this.address(req)): RequestHandler {
    return async (req, res, next) => {
      const wait = await this.hit(bucket, keyOf(req), max);
      if (wait > 0) return sendTooManyRequests(res, wait);
      next();
    };
  }

  /**
   * `lockedOut` and then `hit` in one round trip: the seconds a locked-out address must wait (its
   * request not counted), else the seconds to wait when over `max` in this window, else 0.
   */
  async admit(endpoint: string, slug: string | null, address: string, bucket: string, key: string, max: number): Promise<number> {
    const result = await this.store.incrementUnlessSet(lockoutKey(endpoint, slug, address), `rate:${bucket}:${key}`, this.settings.windowSeconds * 1000);
    if ('lockedMs' in result) return Math.max(1, Math.ceil(result.lockedMs / 1000));
    return result.hits > max ? Math.max(1, Math.ceil(result.resetInMs / 1000)) : 0;
  }

  /** Seconds `address` is still locked out of `endpoint` (of customer `slug`), else 0. */
  async lockedOut(endpoint: string, slug: string | null, address: string): Promise<number> {
    return Math.ceil((await this.store.remainingMs(lockoutKey(endpoint, slug, address))) / 1000);
  }

  /** Counts a wrong credential from `address`; at the limit locks it out and reports the lockout once. */
  async failed(endpoint: string, slug: string | null, address: string): Promise<void> {
    const key = `${endpoint}:${slug ?? '-'}:${address}`;
    const { hits } = await this.store.increment(`fail:${key}`, this.settings.failureWindowSeconds * 1000);
    if (hits !== this.settings.failureLimit) return;
    await this.store.set(lockoutKey(endpoint, slug, address), this.settings.lockoutSeconds * 1000);
    await this.onLockout({ endpoint, slug, address, failures: hits, lockoutSeconds: this.settings.lockoutSeconds });
  }

  /**
   * Whom the limits count for a request: the socket's peer, or behind a trusted proxy the entry that
   * proxy appended, parsed (an IPv6 client by its /64, see `clientKey`).
   */
  address(req: Request): string {
    if (this.settings.trustProxy) {
      const forwarded = String(req.headers['x-forwarded-for'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (forwarded.length > 0) return clientKey(forwarded[forwarded.length - 1]!);
    }
    return clientKey(req.socket.remoteAddress ?? '');
  }
}

function lockoutKey(endpoint: string, slug: string | null, address: string): string {
  return `lockout:${endpoint}:${slug ?? '-'}:${address}`;
}

/** Credentials are counted by digest, never stored as such in Redis. */
export function digestOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url').slice(0, 22);
}

/** 429 with Retry-After (RFC 6585 §4), the same plain-text shape as our other HTTP errors. */
export function sendTooManyRequests(res: Response, retryAfterSeconds: number): void {
  res.set({ 'Retry-After': String(retryAfterSeconds), 'Cache-Control': 'no-store' });
  res.status(429).type('text/plain').send(`error: too_many_requests\nrequest_id: ${String(res.locals.requestId)}\n`);
}
