import { ServerResponse } from 'node:http';
import { createRealmFetcher, RealmFetchError, type RealmFetchOptions } from '../../../src/openid-provider';
import { startRpSite } from '../../support/rp-site';

/** The limits of the outbound fetch RP discovery makes, against a real server on loopback. */
describe('RP discovery fetch limits', () => {
  let site: Awaited<ReturnType<typeof startRpSite>>;
  const hanging: ServerResponse[] = [];
  beforeAll(async () => {
    site = await startRpSite((path, origin) => {
      if (path === '/big') return { status: 200, contentType: 'application/xrds+xml', body: 'x'.repeat(70 * 1024) };
      if (path.startsWith('/hop/')) {
        const n = Number(path.slice(5));
        return n === 0 ? { status: 200, contentType: 'application/xrds+xml', body: 'done' } : { status: 302, headers: { location: `/hop/${n - 1}` } };
      }
      if (path === '/to-metadata') return { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } };
      if (path === '/to-loopback') return { status: 302, headers: { location: `${origin.replace('127.0.0.1', 'localhost')}/hop/0` } };
      return { status: 404 };
    });
  });
  afterAll(async () => {
    for (const res of hanging) res.destroy();
    await site.stop();
  });

  const options: RealmFetchOptions = { policy: { allowPrivate: true }, timeoutMs: 3000, maxBytes: 64 * 1024, maxRedirects: 2 };
  const reason = (p: Promise<unknown>) => p.then(() => 'no error', (err: unknown) => (err instanceof RealmFetchError ? err.reason : String(err)));

  it('follows up to two redirects and reports where it ended', async () => {
    const doc = await createRealmFetcher(options).get(`${site.origin}/hop/2`, 'application/xrds+xml');
    expect(doc).toMatchObject({ url: `${site.origin}/hop/0`, status: 200, contentType: 'application/xrds+xml', body: 'done' });
  });

  it('stops at the third redirect', async () => {
    expect(await reason(createRealmFetcher(options).get(`${site.origin}/hop/3`, 'application/xrds+xml'))).toBe('too_many_redirects');
  });

  it('refuses a body over the cap', async () => {
    expect(await reason(createRealmFetcher(options).get(`${site.origin}/big`, 'application/xrds+xml'))).toBe('too_large');
  });

  it('checks every redirect target against the address policy', async () => {
    expect(await reason(createRealmFetcher(options).get(`${site.origin}/to-metadata`, 'application/xrds+xml'))).toBe('url_refused');
    const strict = createRealmFetcher({ ...options, policy: { allowPrivate: false } });
    expect(await reason(strict.get(`${site.origin}/hop/0`, 'application/xrds+xml'))).toBe('url_refused');
    expect(await reason(strict.get('https://127.0.0.1:1/', 'application/xrds+xml'))).toBe('url_refused');
    expect(await reason(strict.get('https://localhost:1/', 'application/xrds+xml'))).toBe('address_refused');
    // https to a link-local (cloud metadata) or IPv4-mapped loopback literal: refused before connecting.
    expect(await reason(strict.get('https://169.254.169.254/latest/meta-data/', 'application/xrds+xml'))).toBe('url_refused');
    expect(await reason(strict.get('https://[::ffff:7f00:1]:1/', 'application/xrds+xml'))).toBe('url_refused');
  });

  it('ends at the deadline it is given, shared by the fetches of one discovery', async () => {
    const expired = AbortSignal.abort();
    expect(await reason(createRealmFetcher(options).get(`${site.origin}/hop/0`, 'application/xrds+xml', expired))).toBe('timeout');
  });

  it('gives up at its deadline', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => hanging.push(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      expect(await reason(createRealmFetcher({ ...options, timeoutMs: 200 }).get(`http://127.0.0.1:${port}/`, 'application/xrds+xml'))).toBe('timeout');
    } finally {
      for (const res of hanging.splice(0)) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
