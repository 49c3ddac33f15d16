import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from '../../../src/app';
import { defaultDistDir } from '../../../src/composition/dashboard';
import { resetDatabase, startPublicTestApp } from '../../support/app';
import { signInToDashboard, dashboardGraphql } from '../../support/dashboard';
import { operatorToken } from '../../support/operators';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const INDEX = '<!doctype html><html><head><script type="module" src="/dashboard/assets/index-Ab12Cd34.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = 'console.log("dashboard");';
const SECRET = 'secret-beside-the-build-3f9a';

/**
 * GET a raw path exactly as written (fetch and URL would normalise `..` and `%2e%2e` away before
 * sending, which is not what an attacker's client does).
 */
function rawGet(baseUrl: string, path: string): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((done, fail) => {
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', fail);
    req.end();
  });
}

/** The built app under /dashboard/: its files, caching, CSP, client-side routes, and nothing outside its directory. */
describe('dashboard files (/dashboard/)', () => {
  let app: App;
  let url: string;
  let root: string;
  let dist: string;

  beforeAll(async () => {
    await resetDatabase();
    root = mkdtempSync(join(tmpdir(), 'ids-dashboard-'));
    dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), INDEX);
    writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dist, 'assets', 'index-Ab12Cd34.js'), SCRIPT);
    writeFileSync(join(dist, '.env'), SECRET);
    // Files beside the build that no path under /dashboard/ may reach.
    writeFileSync(join(root, 'secret.txt'), SECRET);
    writeFileSync(join(dist, 'assets', '..secret'), SECRET);
    app = await startPublicTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', DASHBOARD_DIST_DIR: dist });
    url = new URL(app.config.PUBLIC_URL).origin;
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const expectDashboardHeaders = (headers: Headers) => {
    expect(headers.get('content-security-policy')).toBe(CSP);
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('referrer-policy')).toBe('no-referrer');
  };

  it('sends /dashboard to /dashboard/ (308), keeping the query', async () => {
    for (const [path, location] of [['/dashboard', '/dashboard/'], ['/dashboard?tab=1', '/dashboard/?tab=1']]) {
      const res = await fetch(`${url}${path}`, { redirect: 'manual' });
      expect(res.status).toBe(308);
      expect(res.headers.get('location')).toBe(location);
      expectDashboardHeaders(res.headers);
    }
  });

  it('serves the app\'s page at /dashboard/ and at any path of the app (client-side routes), revalidated on every load, under a strict CSP', async () => {
    for (const path of ['/dashboard/', '/dashboard/customers', '/dashboard/sign-ins/4b1e?status=FAILED', '/dashboard/index.html']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expectDashboardHeaders(res.headers);
      expect(await res.text()).toBe(INDEX);
    }
  });

  it('serves hashed assets for a year (immutable) and answers 404 for an unknown one, never the page', async () => {
    const asset = await fetch(`${url}/dashboard/assets/index-Ab12Cd34.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expectDashboardHeaders(asset.headers);
    expect(await asset.text()).toBe(SCRIPT);

    for (const path of ['/dashboard/assets/index-Zz99.js', '/dashboard/assets/', '/dashboard/assets/deep/missing.css']) {
      const missing = await fetch(`${url}${path}`);
      expect(missing.status).toBe(404);
      expectDashboardHeaders(missing.headers);
      expect(await missing.text()).not.toContain('<div id="root">');
    }
  });

  it('serves the build\'s other files revalidated, and an unknown API path as a JSON 404', async () => {
    const icon = await fetch(`${url}/dashboard/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(icon.headers.get('cache-control')).toBe('no-cache');
    const api = await fetch(`${url}/dashboard/api/customers`);
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: 'not_found', message: expect.any(String) });
    expectDashboardHeaders(api.headers);
  });

  it.each([
    '/dashboard/..%2f..%2fpackage.json',
    '/dashboard/..%2fsecret.txt',
    '/dashboard/%2e%2e/secret.txt',
    '/dashboard/%2e%2e%2fsecret.txt',
    '/dashboard/../secret.txt',
    '/dashboard/assets/..%2f..%2fsecret.txt',
    '/dashboard/assets/%2e%2e/%2e%2e/secret.txt',
    '/dashboard/assets/..%5c..%5csecret.txt',
    '/dashboard/assets/..secret',
    '/dashboard/.env',
    '/dashboard/%2eenv',
    '/dashboard/assets/%00.js',
  ])('never reads a file outside the build, nor a dot file: %s', async (path) => {
    const res = await rawGet(url, path);
    expect(res.body).not.toContain(SECRET);
    expect(res.body).not.toContain('"name": "identity-services"');
    expect([200, 400, 403, 404]).toContain(res.status);
  });

  it('answers 503 with what to run while the app is not built', async () => {
    renameSync(join(dist, 'index.html'), join(dist, 'index.html.away'));
    try {
      for (const path of ['/dashboard/', '/dashboard/customers']) {
        const res = await fetch(`${url}${path}`);
        expect(res.status).toBe(503);
        expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
        expect(await res.text()).toContain('The dashboard is not built: run npm run dashboard:build');
        expectDashboardHeaders(res.headers);
      }
    } finally {
      renameSync(join(dist, 'index.html.away'), join(dist, 'index.html'));
    }
    expect((await fetch(`${url}/dashboard/`)).status).toBe(200);
  });

  it('counts requests as /dashboard/api/session, /dashboard/api/graphql and /dashboard/*, never by their paths', async () => {
    const token = await operatorToken(app, 'VIEWER', null);
    const signedIn = await signInToDashboard(url, token);
    expect((await fetch(`${url}/dashboard/api/session`, { headers: { cookie: `ids_dashboard_session=${signedIn.session}` } })).status).toBe(200);
    expect((await dashboardGraphql(url, signedIn, '{ me { id } }')).status).toBe(200);
    await fetch(`${url}/dashboard/customers/a-customer-slug`);
    await fetch(`${url}/dashboard/assets/index-Ab12Cd34.js`);
    await fetch(`${url}/dashboard/assets/no-such-file.js`);
    const { body } = await app.metrics.scrape();
    const routes = new Set([...body.matchAll(/^ids_http_requests_total\{method="(\w+)",route="([^"]*)"/gm)].map((m) => `${m[1]} ${m[2]}`));
    for (const route of ['POST /dashboard/api/session', 'GET /dashboard/api/session', 'POST /dashboard/api/graphql', 'GET /dashboard/*']) expect(routes).toContain(route);
    for (const route of routes) expect(route).not.toMatch(/a-customer-slug|index-Ab12Cd34|no-such-file|\/assets/);
  });

  it('finds the built app beside the installation by default, from src/ and from the compiled dist/src/', () => {
    const repository = resolve(__dirname, '..', '..', '..');
    const expected = join(repository, 'clients', 'dashboard', 'dist');
    expect(defaultDistDir(join(repository, 'src', 'composition'))).toBe(expected);
    expect(defaultDistDir(join(repository, 'dist', 'src', 'composition'))).toBe(expected);
    expect(defaultDistDir()).toBe(expected);
  });
});
