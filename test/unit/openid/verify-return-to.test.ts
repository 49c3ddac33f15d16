import { RETURN_TO_SERVICE_TYPE, returnToUrisFromXrds, verifyReturnToByDiscovery, xrdsLocationFromHtml } from '../../../src/openid';

const xrds = (...xrds: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<xrds:XRDS xmlns:xrds="xri://$xrds" xmlns="xri://$xrd*($v*2.0)">${xrds.join('')}</xrds:XRDS>`;
const service = (types: string[], uris: string[]) => `<Service>${types.map((t) => `<Type>${t}</Type>`).join('')}${uris.map((u) => `<URI>${u}</URI>`).join('')}</Service>`;

describe('reading an RP\'s XRDS (§13)', () => {
  it('collects the URIs of every return_to service, and only those', () => {
    const doc = xrds(
      `<XRD>${service([RETURN_TO_SERVICE_TYPE], ['https://rp.example.org/finish', 'https://rp.example.org/other?a=1&amp;b=2'])}${service(['http://specs.openid.net/auth/2.0/server'], ['https://op.example/'])}${service(['x', RETURN_TO_SERVICE_TYPE], ['https://rp.example.org/third'])}</XRD>`,
    );
    expect(returnToUrisFromXrds(doc)).toEqual(['https://rp.example.org/finish', 'https://rp.example.org/other?a=1&b=2', 'https://rp.example.org/third']);
  });

  it('reads only the last XRD, which describes the resource', () => {
    const doc = xrds(`<XRD>${service([RETURN_TO_SERVICE_TYPE], ['https://first.example/'])}</XRD>`, `<XRD>${service([RETURN_TO_SERVICE_TYPE], ['https://last.example/'])}</XRD>`);
    expect(returnToUrisFromXrds(doc)).toEqual(['https://last.example/']);
  });

  it('finds none in an XRD without services', () => {
    expect(returnToUrisFromXrds(xrds('<XRD></XRD>'))).toEqual([]);
  });

  it.each([
    ['HTML', '<html><body>hi</body></html>'],
    ['broken XML', '<xrds:XRDS><XRD><Service></XRD>'],
    ['an empty body', ''],
    ['a DOCTYPE with entities (billion laughs)', `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>${xrds(`<XRD>${service([RETURN_TO_SERVICE_TYPE], ['&b;'])}</XRD>`)}`],
  ])('says %s is not an XRDS', (_label, text) => {
    expect(returnToUrisFromXrds(text)).toBeUndefined();
  });
});

describe('Yadis X-XRDS-Location in HTML (Yadis 1.0 §6.2.5)', () => {
  it.each([
    ['<html><head><meta http-equiv="X-XRDS-Location" content="https://rp.example.org/xrds"></head></html>', 'https://rp.example.org/xrds'],
    ["<META CONTENT='https://rp.example.org/x?a=1&amp;b=2' HTTP-EQUIV='x-xrds-location'/>", 'https://rp.example.org/x?a=1&b=2'],
    ['<meta charset="utf-8"><meta name="x" content="y"><meta http-equiv=X-XRDS-Location content=/rel>', '/rel'],
    ['<html><head><title>none</title></head></html>', undefined],
  ])('%s', (html, expected) => {
    expect(xrdsLocationFromHtml(html)).toBe(expected);
  });
});

describe('matching return_to against the published URLs (§9.2.1)', () => {
  const found = (...returnTos: string[]) => ({ kind: 'found' as const, returnTos });

  it.each([
    ['an exact match', 'https://rp.example.org/finish', ['https://rp.example.org/finish'], 'VERIFIED', null],
    ['a path under a published URL', 'https://rp.example.org/finish/x?y=1', ['https://rp.example.org/finish'], 'VERIFIED', null],
    ['one of several', 'https://b.example.org/', ['https://a.example.org/', 'https://b.example.org/'], 'VERIFIED', null],
    ['a sibling path', 'https://rp.example.org/finished', ['https://rp.example.org/finish'], 'UNVERIFIED', 'return_to_not_listed'],
    ['another scheme', 'http://rp.example.org/finish', ['https://rp.example.org/finish'], 'UNVERIFIED', 'return_to_not_listed'],
    ['a wildcard, which an RP URI may not be', 'https://shop.example.org/', ['https://*.example.org/'], 'UNVERIFIED', 'return_to_not_listed'],
    ['no return_to service at all', 'https://rp.example.org/', [], 'UNVERIFIED', 'no_return_to_service'],
  ])('%s', (_label, returnTo, published, status, reason) => {
    expect(verifyReturnToByDiscovery(returnTo, found(...published))).toEqual({ status, reason });
  });

  it('passes on what discovery could not do', () => {
    expect(verifyReturnToByDiscovery('https://rp.example.org/', { kind: 'failed', reason: 'timeout' })).toEqual({ status: 'FAILED', reason: 'timeout' });
    expect(verifyReturnToByDiscovery('https://rp.example.org/', { kind: 'unverified', reason: 'no_xrds' })).toEqual({ status: 'UNVERIFIED', reason: 'no_xrds' });
  });
});
