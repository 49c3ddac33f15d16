import { renderConsentPage, type ConsentView } from '../../../src/http/consent-page';

const XSS = '<script>alert(1)</script>';

function view(overrides: Partial<ConsentView> = {}): ConsentView {
  return {
    customerName: 'Acme',
    realm: 'https://rp.example.org/',
    identity: 'https://op.example.com/c/acme/id/alice',
    action: '/c/acme/ows_consent',
    authRequestId: '0b6f7c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e',
    csrf: 'csrf-token_value',
    attributes: [
      { field: 'email', value: 'alice@example.com', isRequired: true },
      { field: 'nickname', value: 'alice', isRequired: false },
    ],
    policyUrl: null,
    ...overrides,
  };
}

/** Every opening `<tag` in the page, to check that no posted value adds markup of its own. */
function tagNames(html: string): string[] {
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase());
}

const baselineTags = tagNames(renderConsentPage(view()));

/** Attribute rows (the `<li>` of each released field). */
function rows(html: string): string[] {
  return [...html.matchAll(/<li>[\s\S]*?<\/li>/g)].map((m) => m[0]);
}

describe('consent page (docs/protocol.md#consent)', () => {
  it('shows the realm, the identity and the customer', () => {
    const html = renderConsentPage(view());
    expect(html).toContain('<strong>rp.example.org</strong>');
    expect(html).toContain('<code>https://rp.example.org/</code>');
    expect(html).toContain('https://op.example.com/c/acme/id/alice');
    expect(html).toContain('your Acme account');
  });

  it('posts to the consent action with the request and CSRF token as hidden fields', () => {
    const html = renderConsentPage(view());
    expect(html).toContain('<form method="post" action="/c/acme/ows_consent">');
    expect(html).toContain('<input type="hidden" name="auth_request" value="0b6f7c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e">');
    expect(html).toContain('<input type="hidden" name="csrf" value="csrf-token_value">');
  });

  it('has an Allow and a Deny button answering as decision', () => {
    const html = renderConsentPage(view());
    expect(html).toContain('<button type="submit" name="decision" value="allow">Allow</button>');
    expect(html).toContain('<button type="submit" name="decision" value="deny">Deny</button>');
  });

  it('lists each attribute with a share checkbox, value and readable label', () => {
    const html = renderConsentPage(view());
    const [email, nickname] = rows(html);
    expect(rows(html)).toHaveLength(2);
    expect(email).toContain('<input type="checkbox" name="share" value="email" checked>');
    expect(email).toContain('Email address: <strong>alice@example.com</strong>');
    expect(nickname).toContain('<input type="checkbox" name="share" value="nickname" checked>');
    expect(nickname).toContain('Nickname: <strong>alice</strong>');
  });

  it('marks required attributes, and only those', () => {
    const [email, nickname] = rows(renderConsentPage(view()));
    expect(email).toContain('(required by the site)');
    expect(nickname).not.toContain('required');
  });

  it('says so when the site asked for no details', () => {
    const html = renderConsentPage(view({ attributes: [] }));
    expect(rows(html)).toEqual([]);
    expect(html).toContain('The site asked for no details beyond your identity.');
    expect(html).toContain('value="allow"');
  });

  describe('escaping', () => {
    it('escapes a realm carrying markup', () => {
      const html = renderConsentPage(view({ realm: `https://rp.example.org/${XSS}"'` }));
      expect(html).not.toContain(XSS);
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;');
      expect(tagNames(html)).toEqual(baselineTags);
    });

    it('escapes a realm whose host itself carries markup', () => {
      const html = renderConsentPage(view({ realm: `http://a${XSS}b/` }));
      expect(html).not.toContain(XSS);
      expect(tagNames(html)).toEqual(baselineTags);
    });

    it('escapes attribute values', () => {
      const html = renderConsentPage(
        view({ attributes: [{ field: 'fullname', value: `${XSS}" onfocus="x`, isRequired: false }] }),
      );
      expect(html).not.toContain(XSS);
      expect(html).toContain('<strong>&lt;script&gt;alert(1)&lt;/script&gt;&quot; onfocus=&quot;x</strong>');
      expect(tagNames(html).filter((t) => t === 'script')).toEqual([]);
    });

    it('escapes an unknown attribute name used as the checkbox value and label', () => {
      const html = renderConsentPage(view({ attributes: [{ field: `x"><script>`, value: 'v', isRequired: true }] }));
      expect(html).toContain('value="x&quot;&gt;&lt;script&gt;"');
      expect(tagNames(html)).not.toContain('script');
    });

    it('escapes the customer name', () => {
      const html = renderConsentPage(view({ customerName: `Ben & Jerry's ${XSS}` }));
      expect(html).toContain('your Ben &amp; Jerry&#39;s &lt;script&gt;alert(1)&lt;/script&gt; account');
      expect(tagNames(html)).toEqual(baselineTags);
    });

    it('escapes the identity, action, request id and CSRF token', () => {
      const html = renderConsentPage(
        view({ identity: `https://op.example.com/id/${XSS}`, action: `/x"><script>`, authRequestId: `"><script>`, csrf: `"><script>` }),
      );
      expect(tagNames(html)).toEqual(baselineTags);
      expect(html).toContain('action="/x&quot;&gt;&lt;script&gt;"');
      expect(html).toContain('name="auth_request" value="&quot;&gt;&lt;script&gt;"');
      expect(html).toContain('name="csrf" value="&quot;&gt;&lt;script&gt;"');
    });
  });

  describe('policy_url', () => {
    it.each(['https://rp.example.org/privacy', 'http://rp.example.org/privacy', 'HTTPS://rp.example.org/privacy'])('links %s', (policyUrl) => {
      const html = renderConsentPage(view({ policyUrl }));
      expect(html).toContain(`<a href="${policyUrl}" rel="noopener noreferrer">`);
    });

    it('escapes a linked policy URL', () => {
      const html = renderConsentPage(view({ policyUrl: 'https://rp.example.org/p?a=1&b="x"' }));
      expect(html).toContain('href="https://rp.example.org/p?a=1&amp;b=&quot;x&quot;"');
    });

    it.each([
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      '//evil.example/privacy',
      'ftp://rp.example.org/privacy',
    ])('does not link %j', (policyUrl) => {
      const html = renderConsentPage(view({ policyUrl }));
      expect(tagNames(html)).not.toContain('a');
      expect(html).not.toContain('href=');
      expect(html.toLowerCase()).not.toContain('javascript:');
    });

    it('shows no policy link when the RP sent none', () => {
      expect(tagNames(renderConsentPage(view({ policyUrl: null })))).not.toContain('a');
    });
  });

  describe('internationalised realms', () => {
    it('shows an IDN realm decoded, with the raw realm visible too', () => {
      const html = renderConsentPage(view({ realm: 'http://xn--bcher-kva.example/' }));
      expect(html).toContain('<strong>bücher.example</strong>');
      expect(html).toContain('<title>Share your details with bücher.example?</title>');
      expect(html).toContain('<code>http://xn--bcher-kva.example/</code>');
    });

    it('keeps the wildcard of a wildcard realm in the readable name', () => {
      const html = renderConsentPage(view({ realm: 'https://*.xn--bcher-kva.example/' }));
      expect(html).toContain('<strong>*.bücher.example</strong>');
      expect(html).toContain('<code>https://*.xn--bcher-kva.example/</code>');
    });

    it('shows the raw realm next to a decoded look-alike host', () => {
      // xn--pple-43d.com decodes to "аpple.com" with a Cyrillic а: the raw form lets people tell.
      const html = renderConsentPage(view({ realm: 'https://xn--pple-43d.com/' }));
      expect(html).toContain('<strong>\u0430pple.com</strong>');
      expect(html).toContain('<code>https://xn--pple-43d.com/</code>');
    });

    // A realm sent with a Unicode host still shows its punycode form, which tells a look-alike
    // ("аpple.com" with a Cyrillic а) apart from the real host (docs/protocol.md#consent).
    it('shows the punycode host of a realm sent in Unicode, so a look-alike can be told apart', () => {
      const html = renderConsentPage(view({ realm: 'https://\u0430pple.com/' }));
      expect(html).toContain('xn--pple-43d.com');
    });

    // Host names are case-insensitive: an upper-case punycode realm is decoded too, and its raw
    // form is shown with the host in lower case.
    it('decodes an IDN realm written in upper case', () => {
      const html = renderConsentPage(view({ realm: 'http://XN--BCHER-KVA.example/' }));
      expect(html).toContain('<strong>bücher.example</strong>');
      expect(html).toContain('<code>http://xn--bcher-kva.example/</code>');
    });

    it('shows a realm with a port by its host name', () => {
      const html = renderConsentPage(view({ realm: 'https://rp.example.org:8443/app/' }));
      expect(html).toContain('<strong>rp.example.org</strong>');
      expect(html).toContain('<code>https://rp.example.org:8443/app/</code>');
    });
  });
});
