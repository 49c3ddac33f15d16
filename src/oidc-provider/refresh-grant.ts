import { EntityManager } from '@mikro-orm/postgresql';
import { AuditService } from '../audit';
import { KeyRing } from '../keys';
import { InvalidGrantError, InvalidRequestError, InvalidScopeError, tokenHashes } from '../oauth';
import { RestrictionLookup } from '../profiles';
import { Clock } from '../shared/clock';
import { SecretKeyRing } from '../shared/secret-key-ring';
import { authenticationContext } from '../oidc/acr';
import { fieldsForScopes, isOidcScope } from '../oidc/claims';
import { revokeGrant } from './grant-revocation';
import { isRestricted, openRefreshSubject } from './grant-subject';
import { OAuthRefreshToken } from './refresh-token.entity';
import { RegisteredClient } from './registered-client';
import { OidcTokenResponse, TokenIssuer } from './token-issuer';

export interface RefreshGrantDeps {
  em: EntityManager;
  clock: Clock;
  secretKeys: SecretKeyRing;
  keys: KeyRing;
  audit: AuditService;
  restrictions: RestrictionLookup;
  issuer: TokenIssuer;
}

const REFUSED = 'the refresh token is invalid, expired, revoked, already used or not issued to this client';

/**
 * `grant_type=refresh_token` (OIDC Core §12, RFC 6749 §6) with rotation: each refresh token is good
 * once and its use issues the next one of the same grant, expiring when the grant's first did. A
 * spent token presented again means two parties hold the grant: the whole grant is revoked (RFC 9700
 * §4.14.2), committed although the answer is `invalid_grant`.
 */
export class RefreshGrant {
  constructor(private readonly deps: RefreshGrantDeps) {}

  async refresh(issuer: string, client: RegisteredClient, params: ReadonlyMap<string, string>): Promise<OidcTokenResponse> {
    const value = params.get('refresh_token');
    if (!value) throw new InvalidRequestError('refresh_token is required');
    const { em, clock } = this.deps;
    const now = clock.now();
    const token = await em.findOne(OAuthRefreshToken, { tokenHash: { $in: tokenHashes(value, this.deps.secretKeys) }, customer: client.customerId });
    if (!token || token.client.id !== client.id || token.revokedAt !== null || token.expiresAt <= now) throw new InvalidGrantError(REFUSED);
    if (token.usedAt !== null) {
      await revokeGrant(em, this.deps.audit, client.customerId, token.grantId, now, 'refresh token reused');
      throw new InvalidGrantError(REFUSED);
    }
    const granted = token.scopes.filter(isOidcScope);
    const scopes = narrowed(params.get('scope'), granted);
    const spent = await em.nativeUpdate(OAuthRefreshToken, { id: token.id, usedAt: null, revokedAt: null }, { usedAt: now });
    if (spent === 0) {
      // A concurrent refresh won: the same token twice is reuse, whoever came first.
      await revokeGrant(em, this.deps.audit, client.customerId, token.grantId, now, 'refresh token reused');
      throw new InvalidGrantError(REFUSED);
    }
    const subject = await openRefreshSubject(this.deps.keys, client.customerId, token);
    if (!subject) throw new InvalidGrantError(REFUSED);
    const restricted = await isRestricted(this.deps.restrictions, client.customerId, subject.username);
    const fields = new Set(fieldsForScopes(scopes));
    const fieldScopes = token.scopes.filter((s) => s.startsWith('profile.') && fields.has(s.slice('profile.'.length) as never));
    return this.deps.issuer.issue({
      issuer,
      client,
      subject,
      scopes,
      fieldScopes: restricted ? [] : fieldScopes,
      grantId: token.grantId,
      authTime: token.authTime,
      context: authenticationContext(token.acr === null ? [] : [token.acr]),
      // OIDC Core §12.2: a refreshed ID token carries no nonce.
      nonce: null,
      // RFC 6749 §6: the new refresh token has the scope of the one it replaces, whatever this request narrowed.
      refresh: { expiresAt: token.expiresAt, scopes: token.scopes },
    });
  }
}

/** RFC 6749 §6: `scope` may only narrow what the grant has; absent, the grant's scopes. */
function narrowed(scopeParam: string | undefined, granted: readonly string[]): string[] {
  if (scopeParam === undefined) return [...granted];
  const requested = scopeParam.split(' ');
  if (requested.some((s) => s === '' || !granted.includes(s))) throw new InvalidScopeError('scope may only name scopes of the original grant');
  return granted.filter((s) => requested.includes(s));
}
