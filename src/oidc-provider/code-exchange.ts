import { EntityManager } from '@mikro-orm/postgresql';
import { AuditService } from '../audit';
import { KeyRing } from '../keys';
import { InvalidGrantError, InvalidRequestError, tokenHashes } from '../oauth';
import { RestrictionLookup } from '../profiles';
import { Clock } from '../shared/clock';
import { SecretKeyRing } from '../shared/secret-key-ring';
import { authenticationContext } from '../oidc/acr';
import { verifiesChallenge } from '../oidc/pkce';
import { StoredAuthorization } from '../oidc/stored-authorization';
import { revokeGrant } from './grant-revocation';
import { isRestricted, openCodeSubject } from './grant-subject';
import { OidcCode } from './oidc-code.entity';
import { RegisteredClient } from './registered-client';
import { OidcTokenResponse, TokenIssuer } from './token-issuer';

export interface CodeExchangeDeps {
  em: EntityManager;
  clock: Clock;
  secretKeys: SecretKeyRing;
  keys: KeyRing;
  audit: AuditService;
  restrictions: RestrictionLookup;
  issuer: TokenIssuer;
  refreshTokenTtlSeconds: number;
}

/** Every refusal of a code reads the same, so the client cannot tell which check failed. */
const REFUSED = 'the authorization code is invalid, expired, already used, not issued to this client, or the redirect_uri or code_verifier does not match';

/**
 * `grant_type=authorization_code` (OIDC Core §3.1.3.2, RFC 6749 §4.1.3, RFC 7636 §4.6). Runs in the
 * request's unit of work without a transaction of its own: a replayed code revokes its grant, and
 * that revocation must commit although the request is answered `invalid_grant`.
 */
export class CodeExchange {
  constructor(private readonly deps: CodeExchangeDeps) {}

  async exchange(issuer: string, client: RegisteredClient, params: ReadonlyMap<string, string>): Promise<OidcTokenResponse> {
    const codeValue = params.get('code');
    if (!codeValue) throw new InvalidRequestError('code is required');
    const redirectUri = params.get('redirect_uri');
    // OIDC Core §3.1.3.2 / RFC 6749 §4.1.3: required when the authorization request carried one, which ours always does.
    if (redirectUri === undefined) throw new InvalidRequestError('redirect_uri is required');
    const { em, clock } = this.deps;
    const now = clock.now();
    const code = await em.findOne(OidcCode, { codeHash: { $in: tokenHashes(codeValue, this.deps.secretKeys) }, customer: client.customerId });
    if (!code) throw new InvalidGrantError(REFUSED);
    if (code.usedAt !== null) {
      // RFC 6749 §4.1.2: a code used twice revokes what it produced (by whichever client presents it: the code leaked).
      await revokeGrant(em, this.deps.audit, client.customerId, code.id, now, 'authorization code replayed');
      throw new InvalidGrantError(REFUSED);
    }
    const request = code.request as unknown as StoredAuthorization;
    if (code.expiresAt <= now || code.client.id !== client.id) throw new InvalidGrantError(REFUSED);
    // Exact string comparison (OIDC Core §3.1.3.2): no normalisation that could make two URIs equal.
    if (redirectUri !== request.redirectUri) throw new InvalidGrantError(REFUSED);
    if (!verifiesChallenge(params.get('code_verifier'), request.codeChallenge)) throw new InvalidGrantError(REFUSED);
    // Claim it with a compare-and-set: of two concurrent exchanges one wins; the loser, having waited on the
    // row lock, sees used_at set and revokes what the winner issued (a race for a code is a replay).
    const claimed = await em.nativeUpdate(OidcCode, { id: code.id, usedAt: null }, { usedAt: now });
    if (claimed === 0) {
      await revokeGrant(em, this.deps.audit, client.customerId, code.id, now, 'authorization code replayed');
      throw new InvalidGrantError(REFUSED);
    }
    const subject = await openCodeSubject(this.deps.keys, client.customerId, code);
    if (!subject) throw new InvalidGrantError(REFUSED);
    const restricted = await isRestricted(this.deps.restrictions, client.customerId, subject.username);
    const fieldScopes = code.fields.map((field) => `profile.${field}`);
    const wantsRefresh = request.scopes.includes('offline_access') && client.scopes.includes('offline_access');
    return this.deps.issuer.issue({
      issuer,
      client,
      subject,
      scopes: request.scopes,
      fieldScopes: restricted ? [] : fieldScopes,
      grantId: code.id,
      authTime: code.authTime,
      context: authenticationContext(code.authPolicies),
      nonce: request.nonce,
      // Absolute: the grant's refresh tokens all expire then, however often they rotate.
      refresh: wantsRefresh ? { expiresAt: new Date(now.getTime() + this.deps.refreshTokenTtlSeconds * 1000), scopes: [...request.scopes, ...fieldScopes] } : null,
    });
  }
}
