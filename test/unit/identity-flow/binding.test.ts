import {
  bindingCookieValue,
  cookieRequestId,
  csrfToken,
  isBindingCookieValid,
  isCsrfTokenValid,
  TXN_COOKIE,
} from '../../../src/identity-flow/binding';
import { keyRing } from '../../support/secret-keys';

const SECRET_TEXT = 'server-secret-0123456789abcdef0123456789';
const NEWER_SECRET_TEXT = 'newer-secret-0123456789abcdef0123456789ab';
const SECRET = keyRing(['v1', SECRET_TEXT]);
const OTHER_SECRET = keyRing(['v1', 'another-secret-0123456789abcdef012345678']);
/** SECRET_KEYS rotated: v2 added before the secret above. */
const ROTATED = keyRing(['v2', NEWER_SECRET_TEXT], ['v1', SECRET_TEXT]);
/** And v1 dropped. */
const V2_ONLY = keyRing(['v2', NEWER_SECRET_TEXT]);
const ID = '0b6f7c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e';
const OTHER_ID = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';
const HASH = 'a'.repeat(64);
const OTHER_HASH = 'b'.repeat(64);

/** The same string with one character of the MAC part changed. */
function flipMacCharacter(cookie: string, index: number): string {
  const dot = cookie.indexOf('.');
  const position = dot + 1 + index;
  const replacement = cookie[position] === 'A' ? 'B' : 'A';
  return cookie.slice(0, position) + replacement + cookie.slice(position + 1);
}

describe('browser binding cookie (docs/protocol.md#return-url)', () => {
  const cookie = bindingCookieValue(SECRET, ID, HASH);

  it('is named ids_txn', () => {
    expect(TXN_COOKIE).toBe('ids_txn');
  });

  it('names the auth request followed by a base64url MAC, and is the same each time', () => {
    expect(cookie).toMatch(new RegExp(`^${ID}\\.[A-Za-z0-9_-]{43}$`));
    expect(bindingCookieValue(SECRET, ID, HASH)).toBe(cookie);
  });

  it('does not reveal the request_id hash or the secret', () => {
    expect(cookie).not.toContain(HASH.slice(0, 16));
    expect(cookie).not.toContain(SECRET_TEXT);
  });

  it('is valid for the same auth request, request_id hash and secret', () => {
    expect(isBindingCookieValid(SECRET, cookie, ID, HASH)).toBe(true);
  });

  it('is invalid for another auth request', () => {
    expect(isBindingCookieValid(SECRET, cookie, OTHER_ID, HASH)).toBe(false);
  });

  it('is invalid for another request_id hash', () => {
    expect(isBindingCookieValid(SECRET, cookie, ID, OTHER_HASH)).toBe(false);
  });

  it('is invalid under another secret', () => {
    expect(isBindingCookieValid(OTHER_SECRET, cookie, ID, HASH)).toBe(false);
  });

  it('is invalid when missing or empty', () => {
    expect(isBindingCookieValid(SECRET, undefined, ID, HASH)).toBe(false);
    expect(isBindingCookieValid(SECRET, '', ID, HASH)).toBe(false);
  });

  it.each([0, 10, 42])('is invalid when MAC character %i is tampered with', (index) => {
    expect(isBindingCookieValid(SECRET, flipMacCharacter(cookie, index), ID, HASH)).toBe(false);
  });

  it('is invalid when the id part is swapped for another request’s id', () => {
    const swapped = `${OTHER_ID}${cookie.slice(ID.length)}`;
    expect(isBindingCookieValid(SECRET, swapped, OTHER_ID, HASH)).toBe(false);
  });

  it('is invalid when truncated, extended or re-cased', () => {
    expect(isBindingCookieValid(SECRET, cookie.slice(0, -1), ID, HASH)).toBe(false);
    expect(isBindingCookieValid(SECRET, `${cookie}A`, ID, HASH)).toBe(false);
    expect(isBindingCookieValid(SECRET, cookie.toUpperCase(), ID, HASH)).toBe(false);
    expect(isBindingCookieValid(SECRET, ` ${cookie}`, ID, HASH)).toBe(false);
  });

  it('cannot be forged from another request’s cookie under the same secret', () => {
    const other = bindingCookieValue(SECRET, OTHER_ID, OTHER_HASH);
    expect(other.split('.')[1]).not.toBe(cookie.split('.')[1]);
    expect(isBindingCookieValid(SECRET, `${ID}.${other.split('.')[1]}`, ID, HASH)).toBe(false);
  });
});

describe('cookieRequestId', () => {
  it('reads the auth request id a well-formed cookie names', () => {
    expect(cookieRequestId(bindingCookieValue(SECRET, ID, HASH))).toBe(ID);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['without a MAC', ID],
    ['with a short MAC', `${ID}.abc`],
    ['with a MAC of the wrong alphabet', `${ID}.${'+'.repeat(43)}`],
    ['with an id that is not a UUID', `not-a-uuid.${'A'.repeat(43)}`],
    ['with trailing text', `${ID}.${'A'.repeat(43)};x`],
  ])('returns null for a cookie %s', (_label, cookie) => {
    expect(cookieRequestId(cookie)).toBeNull();
  });
});

describe('consent CSRF token (docs/protocol.md#consent)', () => {
  const cookie = bindingCookieValue(SECRET, ID, HASH);
  const token = csrfToken(SECRET, ID, cookie);

  it('is accepted for the same auth request and binding cookie', () => {
    expect(isCsrfTokenValid(SECRET, token, ID, cookie)).toBe(true);
  });

  it('differs from the binding cookie MAC, so one cannot stand in for the other', () => {
    expect(token).not.toBe(cookie.split('.')[1]);
    expect(isCsrfTokenValid(SECRET, cookie.split('.')[1], ID, cookie)).toBe(false);
  });

  it('is refused for another auth request', () => {
    expect(isCsrfTokenValid(SECRET, token, OTHER_ID, cookie)).toBe(false);
  });

  it('is refused with another browser’s binding cookie', () => {
    const otherCookie = bindingCookieValue(SECRET, ID, OTHER_HASH);
    expect(isCsrfTokenValid(SECRET, token, ID, otherCookie)).toBe(false);
  });

  it('is refused under another secret', () => {
    expect(isCsrfTokenValid(OTHER_SECRET, token, ID, cookie)).toBe(false);
  });

  it('is refused when missing, empty or tampered with', () => {
    expect(isCsrfTokenValid(SECRET, undefined, ID, cookie)).toBe(false);
    expect(isCsrfTokenValid(SECRET, '', ID, cookie)).toBe(false);
    expect(isCsrfTokenValid(SECRET, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, ID, cookie)).toBe(false);
  });
});

describe('binding cookie and CSRF token across a SECRET_KEYS rotation', () => {
  const oldCookie = bindingCookieValue(SECRET, ID, HASH);
  const oldToken = csrfToken(SECRET, ID, oldCookie);

  it('keeps accepting a cookie and a token made under v1 while v1 is listed', () => {
    expect(isBindingCookieValid(ROTATED, oldCookie, ID, HASH)).toBe(true);
    expect(isCsrfTokenValid(ROTATED, oldToken, ID, oldCookie)).toBe(true);
  });

  it('makes new ones under v2, which v1 alone does not accept', () => {
    const cookie = bindingCookieValue(ROTATED, ID, HASH);
    expect(cookie).not.toBe(oldCookie);
    expect(cookie).toBe(bindingCookieValue(V2_ONLY, ID, HASH));
    expect(isBindingCookieValid(ROTATED, cookie, ID, HASH)).toBe(true);
    expect(isBindingCookieValid(SECRET, cookie, ID, HASH)).toBe(false);
    const token = csrfToken(ROTATED, ID, oldCookie);
    expect(token).toBe(csrfToken(V2_ONLY, ID, oldCookie));
    expect(isCsrfTokenValid(SECRET, token, ID, oldCookie)).toBe(false);
  });

  it('while v2 is only staged (listed after v1), makes cookies under v1 and accepts v2 ones', () => {
    const staged = keyRing(['v1', SECRET_TEXT], ['v2', NEWER_SECRET_TEXT]);
    expect(bindingCookieValue(staged, ID, HASH)).toBe(oldCookie);
    expect(isBindingCookieValid(staged, bindingCookieValue(V2_ONLY, ID, HASH), ID, HASH)).toBe(true);
  });

  it('refuses v1 cookies and tokens once v1 is dropped', () => {
    expect(isBindingCookieValid(V2_ONLY, oldCookie, ID, HASH)).toBe(false);
    expect(isCsrfTokenValid(V2_ONLY, oldToken, ID, oldCookie)).toBe(false);
  });
});
