import { EntityManager } from '@mikro-orm/postgresql';
import { AuditService } from '../audit';
import { KeyRing, openText } from '../keys';
import { formatScope, OAuthAccessToken, subjectAad, tokenHashes } from '../oauth';
import { Clock } from '../shared/clock';
import { SecretKeyRing } from '../shared/secret-key-ring';
import { openRefreshSubject } from './grant-subject';
import { revokeGrant } from './grant-revocation';
import { OAuthRefreshToken } from './refresh-token.entity';
import { RegisteredClient } from './registered-client';

export interface TokenInspectionDeps {
  em: EntityManager;
  clock: Clock;
  secretKeys: SecretKeyRing;
  keys: KeyRing;
  audit: AuditService;
}

/** RFC 7662 §2.2, for access and refresh tokens alike. */
export type OidcIntrospection =
  | { active: false }
  | { active: true; scope: string; client_id: string; exp: number; iat: number; token_type: 'Bearer' | 'refresh_token'; sub: string; iss: string };

type Hint = 'access_token' | 'refresh_token';

/**
 * Revocation (RFC 7009) and introspection (RFC 7662) of an OpenID Connect client's own access and
 * refresh tokens. Another client's token, like an unknown one, is not found: revoking it changes
 * nothing and introspecting it answers inactive. `token_type_hint` only orders the lookups (RFC 7009 §2.1).
 */
export class TokenInspection {
  constructor(private readonly deps: TokenInspectionDeps) {}

  async revoke(client: RegisteredClient, token: string, hint: string | undefined): Promise<void> {
    const now = this.deps.clock.now();
    for (const kind of order(hint)) {
      if (kind === 'access_token') {
        const found = await this.findAccess(client, token);
        if (!found) continue;
        if (found.revokedAt === null) {
          await this.deps.em.nativeUpdate(OAuthAccessToken, { id: found.id, revokedAt: null }, { revokedAt: now });
          await this.deps.audit.record({ customerId: client.customerId, action: 'token.revoked', target: { type: 'oauth_access_token', id: found.id }, details: { clientId: client.clientId, reason: 'revocation request' } });
        }
        return;
      }
      const found = await this.findRefresh(client, token);
      if (!found) continue;
      // RFC 7009 §2.1: revoking a refresh token also invalidates the access tokens of its grant.
      await revokeGrant(this.deps.em, this.deps.audit, client.customerId, found.grantId, now, 'refresh token revoked by its client');
      return;
    }
  }

  async introspect(issuer: string, client: RegisteredClient, token: string, hint: string | undefined): Promise<OidcIntrospection> {
    const now = this.deps.clock.now();
    for (const kind of order(hint)) {
      if (kind === 'access_token') {
        const found = await this.findAccess(client, token);
        if (!found) continue;
        if (found.revokedAt !== null || found.expiresAt <= now || found.subject === null || found.personKeyId === null) return { active: false };
        const person = await this.deps.keys.personById(client.customerId, found.personKeyId);
        if (!person) return { active: false };
        return active(issuer, client, found.scopes, found.expiresAt, found.issuedAt, 'Bearer', openText(person.key, subjectAad(found.id), found.subject));
      }
      const found = await this.findRefresh(client, token);
      if (!found) continue;
      if (found.revokedAt !== null || found.usedAt !== null || found.expiresAt <= now) return { active: false };
      const subject = await openRefreshSubject(this.deps.keys, client.customerId, found);
      if (!subject) return { active: false };
      return active(issuer, client, found.scopes, found.expiresAt, found.issuedAt, 'refresh_token', subject.username);
    }
    return { active: false };
  }

  private findAccess(client: RegisteredClient, token: string): Promise<OAuthAccessToken | null> {
    return this.deps.em.findOne(OAuthAccessToken, { tokenHash: { $in: tokenHashes(token, this.deps.secretKeys) }, customer: client.customerId, client: client.id });
  }

  private findRefresh(client: RegisteredClient, token: string): Promise<OAuthRefreshToken | null> {
    return this.deps.em.findOne(OAuthRefreshToken, { tokenHash: { $in: tokenHashes(token, this.deps.secretKeys) }, customer: client.customerId, client: client.id });
  }
}

function order(hint: string | undefined): Hint[] {
  return hint === 'refresh_token' ? ['refresh_token', 'access_token'] : ['access_token', 'refresh_token'];
}

function active(issuer: string, client: RegisteredClient, scopes: string[], expiresAt: Date, issuedAt: Date, tokenType: 'Bearer' | 'refresh_token', sub: string): OidcIntrospection {
  return {
    active: true,
    scope: formatScope(scopes),
    client_id: client.clientId,
    exp: Math.floor(expiresAt.getTime() / 1000),
    iat: Math.floor(issuedAt.getTime() / 1000),
    token_type: tokenType,
    sub,
    iss: issuer,
  };
}
