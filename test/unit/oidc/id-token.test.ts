import { atHash, idTokenClaims } from '../../../src/oidc/id-token';

describe('ID token claims (OIDC Core §2, §3.1.3.6)', () => {
  const base = {
    issuer: 'https://id.example.com/c/acme',
    subject: 'alice',
    clientId: 'cli_1',
    now: new Date('2026-12-03T10:00:00Z'),
    ttlSeconds: 3600,
    authTime: new Date('2026-12-03T09:59:30Z'),
    nonce: 'n-0S6_WzA2Mj',
    accessToken: 'jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y',
    alg: 'ES256' as const,
    context: { acr: '0' },
  };

  it('carries iss, sub, aud, azp, exp, iat, auth_time, nonce, at_hash and acr', () => {
    expect(idTokenClaims(base)).toEqual({
      iss: base.issuer,
      sub: 'alice',
      aud: 'cli_1',
      azp: 'cli_1',
      iat: 1796292000,
      exp: 1796295600,
      auth_time: 1796291970,
      nonce: base.nonce,
      at_hash: atHash(base.accessToken, 'ES256'),
      acr: '0',
    });
  });

  it('leaves auth_time out when the AW did not report one', () => {
    expect(idTokenClaims({ ...base, authTime: null })).not.toHaveProperty('auth_time');
  });

  it('leaves nonce out when the request had none, and carries amr when known', () => {
    const claims = idTokenClaims({ ...base, nonce: null, context: { acr: 'x', amr: ['mfa'] } });
    expect(claims).not.toHaveProperty('nonce');
    expect(claims.amr).toEqual(['mfa']);
  });

  it('computes at_hash as the left half of SHA-256, base64url (the OIDC Core example token)', () => {
    // OIDC Core A.3 / A.4 use this access token with at_hash 77QmUPtjPfzWtF2AnpK9RQ (RS256, SHA-256).
    expect(atHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', 'RS256')).toBe('77QmUPtjPfzWtF2AnpK9RQ');
    expect(atHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', 'ES256')).toBe('77QmUPtjPfzWtF2AnpK9RQ');
  });
});
