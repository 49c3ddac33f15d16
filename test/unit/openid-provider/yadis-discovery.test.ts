import { YadisRealmDiscovery, type FetchedDocument, type RealmFetcher } from '../../../src/openid-provider';

/** A fetcher that answers from a table and records the deadline each fetch was given. */
class RecordingFetcher implements RealmFetcher {
  readonly deadlines: Array<AbortSignal | undefined> = [];
  constructor(private readonly docs: Record<string, Omit<FetchedDocument, 'url'>>) {}
  async get(url: string, _accept: string, deadline?: AbortSignal): Promise<FetchedDocument> {
    this.deadlines.push(deadline);
    const doc = this.docs[url];
    if (!doc) throw new Error(`unexpected fetch of ${url}`);
    return { url, ...doc };
  }
}

const XRDS = `<?xml version="1.0"?><xrds:XRDS xmlns:xrds="xri://$xrds" xmlns="xri://$xrd*($v*2.0)"><XRD>
  <Service><Type>http://specs.openid.net/auth/2.0/return_to</Type><URI>https://rp.example.org/finish</URI></Service>
</XRD></xrds:XRDS>`;

describe('Yadis discovery of a realm', () => {
  it('gives the realm fetch and the XRDS hop one shared deadline, so a discovery never takes twice RP_DISCOVERY_TIMEOUT_MS', async () => {
    const fetcher = new RecordingFetcher({
      'https://rp.example.org/': { status: 200, contentType: 'text/html', xrdsLocation: 'https://rp.example.org/yadis.xrds', body: '<html></html>' },
      'https://rp.example.org/yadis.xrds': { status: 200, contentType: 'application/xrds+xml', xrdsLocation: undefined, body: XRDS },
    });
    const result = await new YadisRealmDiscovery(fetcher, 3000).discover('https://rp.example.org/');
    expect(result).toEqual({ kind: 'found', returnTos: ['https://rp.example.org/finish'] });
    expect(fetcher.deadlines).toHaveLength(2);
    expect(fetcher.deadlines[0]).toBeInstanceOf(AbortSignal);
    expect(fetcher.deadlines[1]).toBe(fetcher.deadlines[0]);
  });

  it('starts a fresh deadline for each discovery', async () => {
    const fetcher = new RecordingFetcher({ 'https://rp.example.org/': { status: 200, contentType: 'application/xrds+xml', xrdsLocation: undefined, body: XRDS } });
    const discovery = new YadisRealmDiscovery(fetcher, 3000);
    await discovery.discover('https://rp.example.org/');
    await discovery.discover('https://rp.example.org/');
    expect(fetcher.deadlines[1]).not.toBe(fetcher.deadlines[0]);
  });
});
