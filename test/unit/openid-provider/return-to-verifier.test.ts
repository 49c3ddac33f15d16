import { parseRealm, type RealmDiscoveryResult } from '../../../src/openid';
import { ReturnToVerifier, type RealmDiscovery } from '../../../src/openid-provider';
import { FixedClock } from '../../../src/shared/clock';

/** A discovery that answers from a table and counts (and can hold) its calls. */
class TableDiscovery implements RealmDiscovery {
  readonly calls: string[] = [];
  private held: Array<() => void> = [];
  hold = false;
  constructor(private readonly table: Record<string, RealmDiscoveryResult>) {}
  async discover(url: string): Promise<RealmDiscoveryResult> {
    this.calls.push(url);
    if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
    return this.table[url] ?? { kind: 'unverified', reason: 'no_xrds' };
  }
  release(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }
}

const GOOD = 'https://rp.example.org/';
const table = { [GOOD]: { kind: 'found', returnTos: ['https://rp.example.org/finish'] } } as const;

function setup(maxInFlight = 8, maxInFlightPerCustomer = 8) {
  const clock = new FixedClock(new Date('2026-12-02T03:00:00Z'));
  const discovery = new TableDiscovery(table as unknown as Record<string, RealmDiscoveryResult>);
  const verifier = new ReturnToVerifier({ discovery, clock, successTtlSeconds: 600, failureTtlSeconds: 60, maxEntries: 2, maxInFlight, maxInFlightPerCustomer });
  return { clock, discovery, verifier };
}

describe('return_to verification cache', () => {
  it('reuses a realm\'s published URLs for the success TTL, then asks again', async () => {
    const { clock, discovery, verifier } = setup();
    const realm = parseRealm(GOOD);
    expect(verifier.cached(realm, 'https://rp.example.org/finish')).toBeUndefined();
    expect(await verifier.verify(realm, 'https://rp.example.org/finish', 'customer-a')).toMatchObject({ status: 'VERIFIED', checkedAt: clock.now() });
    clock.advance(599_000);
    expect(verifier.cached(realm, 'https://rp.example.org/nope')).toMatchObject({ status: 'UNVERIFIED', reason: 'return_to_not_listed' });
    clock.advance(2_000);
    expect(verifier.cached(realm, 'https://rp.example.org/finish')).toBeUndefined();
    await verifier.verify(realm, 'https://rp.example.org/finish', 'customer-a');
    expect(discovery.calls).toEqual([GOOD, GOOD]);
  });

  it('remembers a realm without XRDS for the failure TTL only', async () => {
    const { clock, discovery, verifier } = setup();
    const realm = parseRealm('https://plain.example.org/');
    expect(await verifier.verify(realm, 'https://plain.example.org/x', 'customer-a')).toMatchObject({ status: 'UNVERIFIED', reason: 'no_xrds' });
    clock.advance(59_000);
    expect(verifier.cached(realm, 'https://plain.example.org/x')).toMatchObject({ status: 'UNVERIFIED' });
    clock.advance(2_000);
    expect(verifier.cached(realm, 'https://plain.example.org/x')).toBeUndefined();
    expect(discovery.calls).toHaveLength(1);
  });

  it('discovers a wildcard realm at www (§9.2.1)', async () => {
    const { discovery, verifier } = setup();
    await verifier.verify(parseRealm('https://*.example.com/'), 'https://shop.example.com/', 'customer-a');
    expect(discovery.calls).toEqual(['https://www.example.com/']);
  });

  it('keeps a bounded number of realms, dropping the least recently used', async () => {
    const { discovery, verifier } = setup();
    for (const host of ['a', 'b', 'c']) await verifier.verify(parseRealm(`https://${host}.example.org/`), `https://${host}.example.org/`, 'customer-a');
    expect(verifier.cached(parseRealm('https://a.example.org/'), 'https://a.example.org/')).toBeUndefined();
    expect(verifier.cached(parseRealm('https://c.example.org/'), 'https://c.example.org/')).toBeDefined();
    expect(discovery.calls).toHaveLength(3);
  });

  it('shares one fetch between concurrent checkids of a realm, and refuses to start more than maxInFlight', async () => {
    const { discovery, verifier } = setup(1);
    discovery.hold = true;
    const first = verifier.verify(parseRealm(GOOD), 'https://rp.example.org/finish', 'customer-a');
    const second = verifier.verify(parseRealm(GOOD), 'https://rp.example.org/finish', 'customer-a');
    const other = await verifier.verify(parseRealm('https://other.example.org/'), 'https://other.example.org/', 'customer-a');
    expect(other).toMatchObject({ status: 'FAILED', reason: 'busy' });
    discovery.release();
    expect(await first).toMatchObject({ status: 'VERIFIED' });
    expect(await second).toMatchObject({ status: 'VERIFIED' });
    expect(discovery.calls).toEqual([GOOD]);
    // A busy refusal is not cached: the realm is asked once a slot is free.
    discovery.hold = false;
    expect(await verifier.verify(parseRealm('https://other.example.org/'), 'https://other.example.org/', 'customer-a')).toMatchObject({ status: 'UNVERIFIED' });
  });

  it("gives each customer its own share of the fetches, so one customer's checkids cannot starve another's", async () => {
    const { discovery, verifier } = setup(8, 1);
    discovery.hold = true;
    const first = verifier.verify(parseRealm('https://stall-1.example.org/'), 'https://stall-1.example.org/', 'customer-a');
    // customer-a already has its one fetch running: a second realm of its own is busy…
    expect(await verifier.verify(parseRealm('https://stall-2.example.org/'), 'https://stall-2.example.org/', 'customer-a')).toMatchObject({ status: 'FAILED', reason: 'busy' });
    // …while another customer's checkid still gets a fetch of its own.
    const other = verifier.verify(parseRealm(GOOD), 'https://rp.example.org/finish', 'customer-b');
    discovery.release();
    expect(await other).toMatchObject({ status: 'VERIFIED' });
    expect(await first).toMatchObject({ status: 'UNVERIFIED', reason: 'no_xrds' });
    expect(discovery.calls).toEqual(['https://stall-1.example.org/', GOOD]);
    // The slot is given back once the fetch ends.
    discovery.hold = false;
    expect(await verifier.verify(parseRealm('https://stall-2.example.org/'), 'https://stall-2.example.org/', 'customer-a')).toMatchObject({ status: 'UNVERIFIED' });
  });
});
