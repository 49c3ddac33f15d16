import {
  appendMessageToUrl,
  buildCancelResponse,
  formPostHtml,
  indirectResponse,
  MAX_REDIRECT_URL_LENGTH,
  OpenIdMessage,
} from '../../../src/openid';

/** The §11.6 step 8 message, fields in the documented order. */
const step8 = OpenIdMessage.fromFields([
  ['ns', 'http://specs.openid.net/auth/2.0'],
  ['mode', 'id_res'],
  ['op_endpoint', 'https://op.example.com/openid'],
  ['claimed_id', 'https://op.example.com/id/alice'],
  ['identity', 'https://op.example.com/id/alice'],
  ['return_to', 'https://rp.example.org/finish?sid=42'],
  ['response_nonce', '2024-01-01T00:00:00Zq7Ws1d'],
  ['assoc_handle', '{HMAC-SHA256}{65920c80}{AbCdEf==}'],
  ['ns.sreg', 'http://openid.net/extensions/sreg/1.1'],
  ['sreg.email', 'alice@example.com'],
  ['signed', 'op_endpoint,claimed_id,identity,return_to,response_nonce,assoc_handle,ns.sreg,sreg.email'],
  ['sig', '6qBMaI18Rdm++0PZ0S+g80gNKv6TCKG9BIGjgv9fSaY='],
]);

describe('indirect responses (§5.2)', () => {
  it('appends the message to return_to exactly as docs/protocol.md#vectors-messages shows', () => {
    expect(indirectResponse('https://rp.example.org/finish?sid=42', step8)).toEqual({
      kind: 'redirect',
      status: 302,
      location: [
        'https://rp.example.org/finish?sid=42&openid.ns=http%3A%2F%2Fspecs.openid.net%2Fauth%2F2.0&openid.mode=id_res',
        '&openid.op_endpoint=https%3A%2F%2Fop.example.com%2Fopenid&openid.claimed_id=https%3A%2F%2Fop.example.com%2Fid%2Falice',
        '&openid.identity=https%3A%2F%2Fop.example.com%2Fid%2Falice&openid.return_to=https%3A%2F%2Frp.example.org%2Ffinish%3Fsid%3D42',
        '&openid.response_nonce=2024-01-01T00%3A00%3A00Zq7Ws1d&openid.assoc_handle=%7BHMAC-SHA256%7D%7B65920c80%7D%7BAbCdEf%3D%3D%7D',
        '&openid.ns.sreg=http%3A%2F%2Fopenid.net%2Fextensions%2Fsreg%2F1.1&openid.sreg.email=alice%40example.com',
        '&openid.signed=op_endpoint%2Cclaimed_id%2Cidentity%2Creturn_to%2Cresponse_nonce%2Cassoc_handle%2Cns.sreg%2Csreg.email',
        '&openid.sig=6qBMaI18Rdm%2B%2B0PZ0S%2Bg80gNKv6TCKG9BIGjgv9fSaY%3D',
      ].join(''),
    });
  });

  it('gives the cancel redirect of docs/protocol.md#vectors-messages', () => {
    expect(appendMessageToUrl('https://rp.example.org/finish?sid=42', buildCancelResponse())).toBe(
      'https://rp.example.org/finish?sid=42&openid.ns=http%3A%2F%2Fspecs.openid.net%2Fauth%2F2.0&openid.mode=cancel',
    );
  });

  it.each([
    ['https://rp.example.org/finish', 'https://rp.example.org/finish?openid.mode=cancel'],
    ['https://rp.example.org/finish?', 'https://rp.example.org/finish?openid.mode=cancel'],
    ['https://rp.example.org/finish?a=1&', 'https://rp.example.org/finish?a=1&openid.mode=cancel'],
    ['https://rp.example.org/finish#top', 'https://rp.example.org/finish?openid.mode=cancel#top'],
    ['https://rp.example.org/café?q=ü', 'https://rp.example.org/caf%C3%A9?q=%C3%BC&openid.mode=cancel'],
  ])('appends to %s with the right separator', (url, expected) => {
    expect(appendMessageToUrl(url, OpenIdMessage.fromFields([['mode', 'cancel']]))).toBe(expected);
  });

  it('switches to an auto-submitting form when the URL would reach the length limit', () => {
    const long = OpenIdMessage.fromFields([['mode', 'id_res'], ['x', 'y'.repeat(MAX_REDIRECT_URL_LENGTH)]]);
    const response = indirectResponse('https://rp.example.org/finish?sid=42', long);
    expect(response.kind).toBe('form');
    if (response.kind !== 'form') return;
    expect(response.status).toBe(200);
    expect(response.contentType).toBe('text/html; charset=utf-8');
    expect(response.html).toContain('action="https://rp.example.org/finish?sid=42"');
    expect(response.html).toContain('<input type="hidden" name="openid.mode" value="id_res">');
  });

  it('redirects right below the limit and posts at the limit', () => {
    const base = 'https://rp.example.org/r';
    const sized = (length: number) => {
      const prefix = `${base}?openid.x=`;
      return OpenIdMessage.fromFields([['x', 'a'.repeat(length - prefix.length)]]);
    };
    expect(indirectResponse(base, sized(MAX_REDIRECT_URL_LENGTH - 1)).kind).toBe('redirect');
    expect(indirectResponse(base, sized(MAX_REDIRECT_URL_LENGTH)).kind).toBe('form');
  });

  it('escapes every value in the form, the action included', () => {
    const hostile = OpenIdMessage.fromFields([['mode', 'error'], ['error', '"><script>alert(1)</script>&\'']]);
    const html = formPostHtml('https://rp.example.org/?a="b"&c=<d>', hostile, { cspNonce: 'n"once' });
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#39;"');
    expect(html).toContain('action="https://rp.example.org/?a=&quot;b&quot;&amp;c=&lt;d&gt;"');
    expect(html).toContain('<script nonce="n&quot;once">');
    expect(html).toContain('<button type="submit">Continue</button>');
  });
});
