import { LRUCache } from 'lru-cache';
import {
  returnToUrisFromXrds,
  rpDiscoveryUrl,
  verifyReturnToByDiscovery,
  xrdsLocationFromHtml,
  XRDS_CONTENT_TYPE,
  type Realm,
  type RealmDiscoveryResult,
  type ReturnToVerificationOutcome,
} from '../openid';
import { Clock } from '../shared/clock';
import { FetchedDocument, RealmFetcher, RealmFetchError } from './realm-fetch';

/**
 * RP discovery (§9.2.1, §13) for return_to verification: Yadis on the realm, then the return_to
 * services of its XRDS. The fetch runs on a checkid from an unauthenticated browser, so results,
 * failures included, are cached per discovery URL, concurrent checkids for one realm share one
 * fetch, and only a bounded number of fetches run at once.
 */

/** Finds the return_to URLs a realm publishes. */
export interface RealmDiscovery {
  discover(url: string): Promise<RealmDiscoveryResult>;
}

/** Yadis 1.0 §6.2 over a fetcher: XRDS by content type, else `X-XRDS-Location` (header or HTML meta), one hop. */
export class YadisRealmDiscovery implements RealmDiscovery {
  /** `timeoutMs` bounds a whole discovery, the XRDS hop included, not each of its fetches. */
  constructor(
    private readonly fetcher: RealmFetcher,
    private readonly timeoutMs: number,
  ) {}

  async discover(url: string): Promise<RealmDiscoveryResult> {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    try {
      const first = await this.fetcher.get(url, `${XRDS_CONTENT_TYPE}, text/html;q=0.5`, deadline);
      const refused = refusal(first);
      if (refused) return refused;
      // python-openid refuses any redirect here; we allow a few within the realm's own origin (a
      // trailing slash, another path), never to another origin (not even http → https), whose XRDS
      // would then speak for this realm.
      if (new URL(first.url).origin !== new URL(url).origin) return { kind: 'unverified', reason: 'redirected_off_realm' };
      let xrds = first;
      if (first.contentType !== XRDS_CONTENT_TYPE) {
        const location = first.xrdsLocation ?? (first.contentType === 'text/html' || first.contentType === 'application/xhtml+xml' ? xrdsLocationFromHtml(first.body) : undefined);
        if (location === undefined) return { kind: 'unverified', reason: 'no_xrds' };
        let next: string;
        try {
          next = new URL(location, first.url).toString();
        } catch {
          return { kind: 'unverified', reason: 'invalid_xrds_location' };
        }
        xrds = await this.fetcher.get(next, XRDS_CONTENT_TYPE, deadline);
        const refusedXrds = refusal(xrds);
        if (refusedXrds) return refusedXrds;
      }
      const returnTos = returnToUrisFromXrds(xrds.body);
      if (returnTos === undefined) return { kind: 'unverified', reason: 'invalid_xrds' };
      return { kind: 'found', returnTos };
    } catch (err) {
      if (err instanceof RealmFetchError) return { kind: 'failed', reason: err.reason };
      throw err;
    }
  }
}

/** A 4xx says the RP publishes nothing there; a 5xx (or other) that we could not ask. */
function refusal(doc: FetchedDocument): RealmDiscoveryResult | undefined {
  if (doc.status >= 200 && doc.status < 300) return undefined;
  return { kind: doc.status >= 400 && doc.status < 500 ? 'unverified' : 'failed', reason: `http_${doc.status}` };
}

export interface ReturnToVerifierOptions {
  discovery: RealmDiscovery;
  clock: Clock;
  /** How long a realm's published return_to URLs are reused. */
  successTtlSeconds: number;
  /** How long a realm without them (or unreachable) is not asked again. */
  failureTtlSeconds: number;
  /** Realms remembered at most (least recently used go first). */
  maxEntries: number;
  /** Discovery fetches running at once at most; a checkid beyond that is FAILED with `busy`. */
  maxInFlight: number;
  /**
   * Discovery fetches one customer's checkids may have running at once: without it, anonymous
   * checkids at one customer that trusts every realm could hold every slot (realms that stall)
   * and leave the customers that REQUIRE verification with nothing but `busy`.
   */
  maxInFlightPerCustomer: number;
}

/** One realm's verdict, as cached. */
interface Discovered {
  result: RealmDiscoveryResult;
  checkedAt: Date;
}

/** A return_to verdict and when the discovery behind it ran (earlier, when it came from the cache). */
export interface TimedVerification extends ReturnToVerificationOutcome {
  checkedAt: Date;
}

/** Verifies return_to against its realm's discovery, through a bounded cache. */
export class ReturnToVerifier {
  private readonly cache: LRUCache<string, Discovered>;
  private readonly inFlight = new Map<string, Promise<Discovered>>();
  private readonly inFlightByCustomer = new Map<string, number>();

  constructor(private readonly options: ReturnToVerifierOptions) {
    this.cache = new LRUCache<string, Discovered>({
      max: options.maxEntries,
      ttl: options.successTtlSeconds * 1000,
      // Ages by our clock, read at every look-up (no cached "now"), so tests can move time.
      perf: { now: () => options.clock.now().getTime() },
      ttlResolution: 0,
    });
  }

  /** The verdict from the cache alone, or undefined when discovery would have to run. */
  cached(realm: Realm, returnTo: string): TimedVerification | undefined {
    const hit = this.cache.get(rpDiscoveryUrl(realm));
    return hit && { ...verifyReturnToByDiscovery(returnTo, hit.result), checkedAt: hit.checkedAt };
  }

  /**
   * The verdict, running discovery on the realm for `customerId`'s checkid when the cache has none.
   * Never throws for the RP's faults.
   */
  async verify(realm: Realm, returnTo: string, customerId: string): Promise<TimedVerification> {
    const url = rpDiscoveryUrl(realm);
    const hit = this.cache.get(url);
    const found = hit ?? (await this.discover(url, customerId));
    return { ...verifyReturnToByDiscovery(returnTo, found.result), checkedAt: found.checkedAt };
  }

  private discover(url: string, customerId: string): Promise<Discovered> {
    const running = this.inFlight.get(url);
    if (running) return running;
    const ofCustomer = this.inFlightByCustomer.get(customerId) ?? 0;
    if (this.inFlight.size >= this.options.maxInFlight || ofCustomer >= this.options.maxInFlightPerCustomer) {
      return Promise.resolve({ result: { kind: 'failed', reason: 'busy' }, checkedAt: this.options.clock.now() });
    }
    this.inFlightByCustomer.set(customerId, ofCustomer + 1);
    const started = this.options.discovery
      .discover(url)
      .then((result) => {
        const found = { result, checkedAt: this.options.clock.now() };
        const ttlSeconds = result.kind === 'found' ? this.options.successTtlSeconds : this.options.failureTtlSeconds;
        this.cache.set(url, found, { ttl: ttlSeconds * 1000 });
        return found;
      })
      .finally(() => {
        this.inFlight.delete(url);
        const left = (this.inFlightByCustomer.get(customerId) ?? 1) - 1;
        if (left > 0) this.inFlightByCustomer.set(customerId, left);
        else this.inFlightByCustomer.delete(customerId);
      });
    this.inFlight.set(url, started);
    return started;
  }
}
