import { isWellFormedVerifier, s256Challenge, verifiesChallenge } from '../../../src/oidc/pkce';

describe('PKCE S256 (RFC 7636)', () => {
  // RFC 7636 Appendix B.
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
  const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

  it('computes the appendix B challenge', () => {
    expect(s256Challenge(verifier)).toBe(challenge);
  });

  it('accepts the matching verifier only', () => {
    expect(verifiesChallenge(verifier, challenge)).toBe(true);
    expect(verifiesChallenge(`${verifier.slice(0, -1)}Y`, challenge)).toBe(false);
  });

  it('refuses a missing verifier', () => {
    expect(verifiesChallenge(undefined, challenge)).toBe(false);
  });

  it.each([
    ['42 characters', 'a'.repeat(42), false],
    ['43 characters', 'a'.repeat(43), true],
    ['128 characters', 'a'.repeat(128), true],
    ['129 characters', 'a'.repeat(129), false],
    ['a character outside the unreserved set', `${'a'.repeat(42)}+`, false],
    ['the unreserved punctuation', `${'a'.repeat(39)}-._~`, true],
  ])('a verifier of %s is well formed: %s', (_name, value, expected) => {
    expect(isWellFormedVerifier(value)).toBe(expected);
  });

  it('refuses a malformed verifier even when its hash would match the stored challenge', () => {
    const short = 'a'.repeat(42);
    expect(verifiesChallenge(short, s256Challenge(short))).toBe(false);
  });
});
