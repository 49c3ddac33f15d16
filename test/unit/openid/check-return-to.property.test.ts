import fc from 'fast-check';
import { checkReturnToInRealm, checkReturnToSyntax } from '../../../src/openid/check-return-to';
import { OpenIdError } from '../../../src/openid/errors';
import { parseRealm } from '../../../src/openid/realm';

/** Pieces that URL-confusion attacks are made of: userinfo, backslashes, encoded separators, ports, dots. */
const PIECES = [
  'https://', 'http://', 'rp.example.org', 'RP.Example.ORG', 'evil.example', 'rp.example.org.evil.example', '@', '\\', '/', '//', 'app', 'app2',
  ':443', ':8443', '#', '?', '&', '=', '%2F', '%2f', '%40', '%5C', '.', '..', '/./', '/../', '\t', ' ', 'openid.mode=x', 'next=https://evil.example/', '\u3002', ':',
];

const candidate = fc.oneof(
  fc.array(fc.constantFrom(...PIECES), { maxLength: 10 }).map((p) => p.join('')),
  fc.array(fc.constantFrom(...PIECES), { maxLength: 6 }).map((p) => `https://rp.example.org/app/${p.join('')}`),
  fc.array(fc.constantFrom(...PIECES), { maxLength: 6 }).map((p) => `https://${p.join('')}/app/`),
  fc.string({ maxLength: 60 }),
);

describe('return_to against a realm (property)', () => {
  const realm = parseRealm('https://rp.example.org/app/');
  const wildcard = parseRealm('https://*.example.org/');

  it('accepts only URLs a browser would send to the realm\'s own host, scheme and path', () => {
    fc.assert(
      fc.property(candidate, (returnTo) => {
        try {
          checkReturnToSyntax(returnTo);
          checkReturnToInRealm(returnTo, realm);
        } catch (err) {
          expect(err).toBeInstanceOf(OpenIdError);
          return;
        }
        // Accepted: the WHATWG parser (what browsers use) must agree that it goes where the realm says.
        const url = new URL(returnTo);
        expect(url.protocol).toBe('https:');
        expect(url.hostname).toBe('rp.example.org');
        expect(url.port).toBe('');
        expect(url.username + url.password).toBe('');
        expect(url.pathname === '/app' || url.pathname.startsWith('/app/')).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('under a wildcard realm accepts only hosts inside the domain', () => {
    fc.assert(
      fc.property(candidate, (returnTo) => {
        try {
          checkReturnToSyntax(returnTo);
          checkReturnToInRealm(returnTo, wildcard);
        } catch {
          return;
        }
        const host = new URL(returnTo).hostname;
        expect(host === 'example.org' || host.endsWith('.example.org')).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
