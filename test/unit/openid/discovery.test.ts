import {
  claimedIdentifierHtml,
  claimedIdentifierXrds,
  opIdentifierHtml,
  opIdentifierXrds,
  XRDS_CONTENT_TYPE,
} from '../../../src/openid';

const opEndpoint = 'https://op.example.com/c/acme/openid';

describe('discovery documents (§7.3)', () => {
  it('describes the OP identifier with the server type, our extensions and the endpoint', () => {
    const xml = opIdentifierXrds({ opEndpoint });
    expect(XRDS_CONTENT_TYPE).toBe('application/xrds+xml');
    expect(xml).toContain('<xrds:XRDS xmlns:xrds="xri://$xrds" xmlns="xri://$xrd*($v*2.0)">');
    expect(xml).toContain('<Type>http://specs.openid.net/auth/2.0/server</Type>');
    for (const type of [
      'http://openid.net/extensions/sreg/1.1',
      'http://openid.net/sreg/1.0',
      'http://openid.net/srv/ax/1.0',
      'http://specs.openid.net/extensions/pape/1.0',
    ]) {
      expect(xml).toContain(`<Type>${type}</Type>`);
    }
    expect(xml).toContain(`<URI>${opEndpoint}</URI>`);
    expect(xml).not.toContain('LocalID');
  });

  it('describes a claimed identifier with the signon type and its LocalID', () => {
    const xml = claimedIdentifierXrds({ opEndpoint, localId: 'https://op.example.com/c/acme/id/alice' });
    expect(xml).toContain('<Type>http://specs.openid.net/auth/2.0/signon</Type>');
    expect(xml).not.toContain('2.0/server');
    expect(xml).toContain('<LocalID>https://op.example.com/c/acme/id/alice</LocalID>');
  });

  it('escapes values in XRDS', () => {
    const xml = claimedIdentifierXrds({ opEndpoint: 'https://op.example.com/?a=1&b=<2>', localId: 'https://x/"\'' });
    expect(xml).toContain('<URI>https://op.example.com/?a=1&amp;b=&lt;2&gt;</URI>');
    expect(xml).toContain('<LocalID>https://x/&quot;&#39;</LocalID>');
  });

  it('points the OP identifier page at the XRDS with a meta tag', () => {
    const html = opIdentifierHtml({ xrdsUrl: 'https://op.example.com/c/acme/xrds?a=1&b=2', title: 'Acme <login>' });
    expect(html).toContain('<meta http-equiv="X-XRDS-Location" content="https://op.example.com/c/acme/xrds?a=1&amp;b=2">');
    expect(html).toContain('<title>Acme &lt;login&gt;</title>');
  });

  it('gives claimed identifier pages openid2.provider and openid2.local_id links', () => {
    const html = claimedIdentifierHtml({ opEndpoint, localId: 'https://op.example.com/c/acme/id/a%22b', xrdsUrl: 'https://op.example.com/c/acme/id/a%22b?xrds' });
    expect(html).toContain(`<link rel="openid2.provider" href="${opEndpoint}">`);
    expect(html).toContain('<link rel="openid2.local_id" href="https://op.example.com/c/acme/id/a%22b">');
    expect(html).toContain('X-XRDS-Location');
    expect(claimedIdentifierHtml({ opEndpoint, localId: 'https://x/"><script>' })).not.toContain('<script>');
  });
});
