import express from 'express';
import { createSampleAw } from '../../demo/sample-aw';
import { listenOnLoopback, Listening } from '../../demo/listen';

/**
 * The sample AW against a stand-in for the service's PostBack endpoint, so steps 2-6 of the
 * delegated login (docs/protocol.md#flow, docs/protocol.md#verify-url to docs/protocol.md#return-url) are checked on their own, over HTTP.
 */
describe('the sample AW', () => {
  const API_KEY = 'demo-api-key-0123456789abcdef0123456789';
  let service: Listening;
  let aw: Listening;
  let postbacks: Array<Record<string, string>>;
  let answer: { status: number; body: string };

  beforeAll(async () => {
    const fake = express();
    fake.post('/c/demo/ows_auth', express.urlencoded({ extended: false }), (req, res) => {
      postbacks.push({ ...(req.body as Record<string, string>), contentType: String(req.headers['content-type']) });
      res.status(answer.status).type('text/plain').send(answer.body);
    });
    service = await listenOnLoopback(fake, 0);
    aw = await listenOnLoopback(
      createSampleAw({ postbackUrl: `${service.url}/c/demo/ows_auth`, returnUrl: `${service.url}/c/demo/ows_return`, apiKey: API_KEY }),
      0,
    );
  });
  afterAll(async () => {
    await aw?.close();
    await service?.close();
  });
  beforeEach(() => {
    postbacks = [];
    answer = { status: 200, body: 'OK' };
  });

  function login(fields: Record<string, string>) {
    return fetch(`${aw.url}/login`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
  }

  it('refuses a Verify request without request_id', async () => {
    const res = await fetch(`${aw.url}/verify?realm=${encodeURIComponent('http://rp.example/')}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('request_id');
  });

  it('shows the realm and keeps request_id in the form, escaping both', async () => {
    const query = new URLSearchParams({ request_id: 'r1"><b>x', realm: 'http://rp.example/<script>', requested_attributes: 'sreg_email' });
    const res = await fetch(`${aw.url}/verify?${query}`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('Signing in to <strong>http://rp.example/&lt;script&gt;</strong>');
    expect(html).toContain('<input type="hidden" name="request_id" value="r1&quot;&gt;&lt;b&gt;x">');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<label for="password">Password</label>');
  });

  it('says an account sign-in is for managing the person\'s own data, and keeps that through a wrong password', async () => {
    const query = new URLSearchParams({ request_id: 'acc-1', realm: 'http://id.example/c/demo/account', requested_attributes: '', purpose: 'account' });
    const html = await (await fetch(`${aw.url}/verify?${query}`)).text();
    expect(html).toContain('<h1>Sign in to manage your data</h1>');
    expect(html).toContain('No website receives your details.');
    expect(html).not.toContain('Signing in to <strong>');
    expect(html).toContain('<input type="hidden" name="purpose" value="account">');
    const again = await login({ request_id: 'acc-1', realm: 'http://id.example/c/demo/account', requested_attributes: '', purpose: 'account', username: 'alice', password: 'nope' });
    expect(again.status).toBe(401);
    expect(await again.text()).toContain('<h1>Sign in to manage your data</h1>');
    // A site's sign-in still names the site.
    const site = await (await fetch(`${aw.url}/verify?${new URLSearchParams({ request_id: 'r9', realm: 'http://rp.example/' })}`)).text();
    expect(site).toContain('<h1>Sign in</h1>');
    expect(site).toContain('Signing in to <strong>http://rp.example/</strong>');
  });

  it('posts only the username for an account sign-in, which requests no attributes', async () => {
    const res = await login({ request_id: 'acc-2', realm: 'http://id.example/c/demo/account', requested_attributes: '', purpose: 'account', username: 'bob', password: 'builder' });
    expect(res.status).toBe(302);
    expect(postbacks).toEqual([{ request_id: 'acc-2', api_key: API_KEY, no_prompt: 'false', username: 'bob', contentType: expect.any(String) }]);
  });

  it('posts who logged in with only the requested profile fields, then sends the browser to the Return URL', async () => {
    const res = await login({ request_id: 'req-1', realm: 'http://rp.example/', requested_attributes: 'sreg_email,sreg_nickname', username: 'alice', password: 'wonderland' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${service.url}/c/demo/ows_return?request_id=req-1`);
    expect(postbacks).toEqual([
      {
        request_id: 'req-1',
        api_key: API_KEY,
        no_prompt: 'false',
        username: 'alice',
        sreg_email: 'alice@example.org',
        sreg_nickname: 'alice',
        contentType: expect.stringContaining('application/x-www-form-urlencoded'),
      },
    ]);
  });

  it('shows the form again with 401 and posts nothing when the password is wrong', async () => {
    const res = await login({ request_id: 'req-2', realm: 'http://rp.example/', username: 'alice', password: 'builder' });
    const html = await res.text();
    expect(res.status).toBe(401);
    expect(html).toContain('role="alert"');
    expect(html).toContain('Wrong username or password.');
    expect(html).toContain('value="req-2"');
    expect(postbacks).toEqual([]);
  });

  it('posts cancel instead of a username when the user cancels, then sends the browser to the Return URL', async () => {
    const res = await login({ request_id: 'req-3', cancel: 'true', username: '', password: '' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${service.url}/c/demo/ows_return?request_id=req-3`);
    expect(postbacks).toEqual([{ request_id: 'req-3', api_key: API_KEY, no_prompt: 'false', cancel: 'true', contentType: expect.any(String) }]);
  });

  it.each([
    [403, 'error: invalid_api_key'],
    [201, 'OK'],
    [404, 'error: <unknown_request>'],
  ])('does not redirect when the PostBack is answered %i, and shows the status and the text', async (status, body) => {
    answer = { status, body };
    const res = await login({ request_id: 'req-4', username: 'bob', password: 'builder' });
    const html = await res.text();
    expect(res.status).toBe(502);
    expect(res.headers.get('location')).toBeNull();
    expect(html).toContain(`HTTP ${status}`);
    expect(html).toContain(body.replace('<', '&lt;').replace('>', '&gt;'));
    expect(html).not.toContain(API_KEY);
  });
});
