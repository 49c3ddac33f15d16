import { accountCsrfToken, isAccountCsrfValid } from '../../../src/http/account/account-csrf';
import { csrfToken } from '../../../src/identity-flow/binding';
import { keyRing } from '../../support/secret-keys';

const SECRET_TEXT = 'server-secret-0123456789abcdef0123456789';
const NEWER_SECRET_TEXT = 'newer-secret-0123456789abcdef0123456789ab';
const SECRET = keyRing(['v1', SECRET_TEXT]);
const OTHER_SECRET = keyRing(['v1', 'another-secret-0123456789abcdef012345678']);
const ROTATED = keyRing(['v2', NEWER_SECRET_TEXT], ['v1', SECRET_TEXT]);
const V2_ONLY = keyRing(['v2', NEWER_SECRET_TEXT]);
const SESSION = 'a'.repeat(43);
const OTHER_SESSION = 'b'.repeat(43);

describe('the privacy center\'s CSRF token', () => {
  it('is a fixed-length MAC of the session id, and accepted for that session only', () => {
    const token = accountCsrfToken(SECRET, SESSION);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(token).not.toContain(SESSION);
    expect(accountCsrfToken(SECRET, SESSION)).toBe(token);
    expect(isAccountCsrfValid(SECRET, token, SESSION)).toBe(true);
    expect(isAccountCsrfValid(SECRET, token, OTHER_SESSION)).toBe(false);
    expect(isAccountCsrfValid(SECRET, accountCsrfToken(SECRET, OTHER_SESSION), SESSION)).toBe(false);
  });

  it('is refused under another secret, changed in any character, empty, missing or oversized', () => {
    const token = accountCsrfToken(SECRET, SESSION);
    expect(isAccountCsrfValid(OTHER_SECRET, token, SESSION)).toBe(false);
    for (let i = 0; i < token.length; i++) {
      const flipped = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
      expect(isAccountCsrfValid(SECRET, flipped, SESSION)).toBe(false);
    }
    expect(isAccountCsrfValid(SECRET, '', SESSION)).toBe(false);
    expect(isAccountCsrfValid(SECRET, undefined, SESSION)).toBe(false);
    expect(isAccountCsrfValid(SECRET, null, SESSION)).toBe(false);
    expect(isAccountCsrfValid(SECRET, token + 'x'.repeat(200), SESSION)).toBe(false);
  });

  it('is not the token of another form keyed by the same value (its purpose is its own)', () => {
    // The consent form's and the dashboard's tokens are MACs of other purposes: none passes here.
    expect(isAccountCsrfValid(SECRET, csrfToken(SECRET, 'dashboard', SESSION), SESSION)).toBe(false);
    expect(isAccountCsrfValid(SECRET, csrfToken(SECRET, SESSION, SESSION), SESSION)).toBe(false);
  });

  it('is made under the newest SECRET_KEYS version and accepted under any listed one', () => {
    const old = accountCsrfToken(SECRET, SESSION);
    expect(accountCsrfToken(ROTATED, SESSION)).toBe(accountCsrfToken(V2_ONLY, SESSION));
    expect(isAccountCsrfValid(ROTATED, old, SESSION)).toBe(true);
    expect(isAccountCsrfValid(V2_ONLY, old, SESSION)).toBe(false);
  });
});
