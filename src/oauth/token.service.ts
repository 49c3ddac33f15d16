import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { fieldAad, KeyRing, openText, PersonKey, sealText } from '../keys';
import { ActorKind, identifyActor } from '../audit/actor';
import { AuditService } from '../audit';
import { Clock } from '../shared/clock';
import { RandomSource } from '../shared/random';
import { SecretKeyRing } from '../shared/secret-key-ring';
import { OAuthClient } from './oauth-client.entity';
import { OAuthAccessToken } from './access-token.entity';
import { PresentedClient } from './client-authentication';
import { generateAccessToken, hashAccessToken, hashClientSecret, tokenHashes } from './client-credentials';
import { enterAccessToken, enterOAuthClient } from './credential.repository';
import { InvalidClientError, InvalidScopeError, UnauthorizedClientError } from './oauth.errors';
import { formatScope, isSubsetOf, parseScopeParam } from './scopes';
import { revokeClientToken } from './access-token.repository';

export interface TokenServiceDeps {
  em: EntityManager;
  clock: Clock;
  random: RandomSource;
  /** Tokens are stored hashed under the newest version and found under any. */
  secretKeys: SecretKeyRing;
  accessTokenTtlSeconds: number;
  audit: AuditService;
  keys: KeyRing;
}

/** The user a token is limited to: their username, their key (the subject is sealed under it) and the username's lookup hash. */
export interface TokenSubject {
  username: string;
  person: PersonKey;
  usernameHash: string;
}

/** Where a token's subject is sealed: bound to the token's row. */
export function subjectAad(tokenId: string): string {
  return fieldAad('oauth_access_token', 'subject', tokenId);
}

/** RFC 6749 §5.1 successful response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** RFC 7662 §2.2 introspection response. */
export type IntrospectionResponse =
  | { active: false }
  | { active: true; scope: string; client_id: string; exp: number; iat: number; token_type: 'Bearer'; sub?: string };

/**
 * What a valid access token lets its bearer do: act for one customer with these scopes, and, when
 * `subject` is set (a token from a login code), only on that one user (the AW's username).
 */
export interface AccessTokenGrant {
  customerId: string;
  clientId: string;
  scopes: string[];
  subject?: string;
}

/** Issues, revokes and introspects access tokens for authenticated OAuth clients. */
export class OAuthTokenService {
  constructor(private readonly deps: TokenServiceDeps) {}

  /**
   * Authenticates the client (RFC 6749 §2.3.1). Unknown id, wrong secret and a disabled client all
   * answer the same `invalid_client`, so the answer does not reveal which client ids exist. One
   * statement, in a transaction that sees nobody's rows until then: the client is found by id and
   * secret hash in PostgreSQL (one indexed lookup either way), and from then on the transaction sees
   * this client's customer only. These are the service clients' endpoints: an OpenID Connect relying
   * party (kind OIDC) that authenticated is `unauthorized_client` here (it has `/c/{slug}/oidc/*`),
   * so it can neither get service tokens nor look at or revoke the customer's other tokens.
   */
  async authenticateClient(presented: PresentedClient): Promise<OAuthClient> {
    const client = await enterOAuthClient(this.deps.em, presented.clientId, hashClientSecret(presented.clientSecret));
    if (!client || client.disabledAt !== null) throw new InvalidClientError(presented.method === 'client_secret_basic');
    if (client.kind !== 'SERVICE') throw new UnauthorizedClientError('an OpenID Connect client uses its issuer\'s endpoints (/c/{slug}/oidc/...), not /oauth/*');
    identifyActor({ kind: ActorKind.CLIENT, id: client.clientId });
    return client;
  }

  /**
   * The client credentials grant (RFC 6749 §4.4). Without `scope` the token gets every scope of the
   * client (§3.3 allows a default); with it, each requested scope must be one the client holds.
   */
  async issueClientCredentials(presented: PresentedClient, scopeParam: string | undefined): Promise<TokenResponse> {
    const client = await this.authenticateClient(presented);
    let scopes = client.scopes;
    if (scopeParam !== undefined) {
      const requested = parseScopeParam(scopeParam);
      if (requested === null || !isSubsetOf(requested, client.scopes)) throw new InvalidScopeError('scope is malformed, unknown or not granted to this client');
      scopes = requested;
    }
    return this.deps.em.transactional(async () => (await this.createToken(client, scopes, null)).response);
  }

  /**
   * Adds a new access token for `client` to the current unit of work (the caller flushes), audits its issuance, and
   * returns the response to send with the row. `subject` limits the token to that one user of the
   * customer; it is stored sealed under their key, with the username's lookup hash. `grantId` names
   * the OpenID Connect grant (authorization code id) the token descends from, so the grant can be revoked whole.
   */
  async createToken(client: OAuthClient, scopes: string[], subject: TokenSubject | null, grantId: string | null = null): Promise<{ response: TokenResponse; row: OAuthAccessToken }> {
    const now = this.deps.clock.now();
    const token = generateAccessToken(this.deps.random);
    const id = randomUUID();
    const row = this.deps.em.create(OAuthAccessToken, {
      id,
      tokenHash: hashAccessToken(token, this.deps.secretKeys.current.secret.reveal()),
      client,
      customer: client.customer,
      subject: subject === null ? null : sealText(subject.person.key, subjectAad(id), subject.username),
      subjectHash: subject?.usernameHash ?? null,
      personKeyId: subject?.person.id ?? null,
      scopes,
      grantId,
      issuedAt: now,
      expiresAt: new Date(now.getTime() + this.deps.accessTokenTtlSeconds * 1000),
      revokedAt: null,
    });
    await this.deps.audit.record({
      customerId: client.customer.id,
      action: 'token.issued',
      target: { type: 'oauth_access_token', id: row.id },
      username: subject?.username ?? null,
      details: { clientId: client.clientId, scopes, expiresAt: row.expiresAt.toISOString(), grant: subject === null ? 'client_credentials' : 'authorization_code', ...(grantId !== null ? { grantId } : {}) },
    });
    return { response: { access_token: token, token_type: 'Bearer', expires_in: this.deps.accessTokenTtlSeconds, scope: formatScope(scopes) }, row };
  }

  /**
   * Looks up a bearer token presented to the API by its HMAC. Answers null for unknown, expired and
   * revoked tokens and for tokens of a disabled client, so the caller refuses them all alike; and
   * for a token limited to a person whose key is gone (erased): it can reach nothing of theirs. A
   * token found enters its customer: the rest of the transaction sees that customer's rows only.
   */
  async verifyAccessToken(token: string): Promise<AccessTokenGrant | null> {
    const found = await enterAccessToken(this.deps.em, tokenHashes(token, this.deps.secretKeys), this.deps.clock.now());
    if (!found) return null;
    const subject = await this.openSubject(found.customerId, found.tokenId, found.subject, found.personKeyId);
    if (subject === undefined) return null;
    return {
      customerId: found.customerId,
      clientId: found.clientId,
      scopes: [...found.scopes],
      ...(subject !== null ? { subject } : {}),
    };
  }

  /** A token's subject opened: null when it has none, undefined when it is sealed under a key that is gone. */
  private async openSubject(customerId: string, tokenId: string, subject: string | null, personKeyId: string | null): Promise<string | null | undefined> {
    if (subject === null || personKeyId === null) return subject;
    const person = await this.deps.keys.personById(customerId, personKeyId);
    return person ? openText(person.key, subjectAad(tokenId), subject) : undefined;
  }

  /**
   * RFC 7009 §2.1-2.2: revokes `token` when it belongs to the calling client. Unknown tokens and
   * tokens of other clients are answered the same way (success, nothing changes), so revocation
   * cannot be used to probe for other clients' tokens.
   */
  async revoke(presented: PresentedClient, token: string): Promise<void> {
    await this.revokeFor(await this.authenticateClient(presented), token);
  }

  /** `revoke` for a client already authenticated (by whatever method its endpoint accepts). */
  async revokeFor(client: OAuthClient, token: string): Promise<void> {
    const revoked = await revokeClientToken(this.deps.em, tokenHashes(token, this.deps.secretKeys), client.id, this.deps.clock.now());
    for (const id of revoked) {
      await this.deps.audit.record({
        customerId: client.customer.id,
        action: 'token.revoked',
        target: { type: 'oauth_access_token', id },
        details: { clientId: client.clientId, reason: 'revocation request' },
      });
    }
  }

  /**
   * RFC 7662 §2: whether `token` is active. Unknown, expired and revoked tokens, and tokens of
   * another customer than the caller's, are all `{active: false}` (§2.2 says nothing more may leak).
   */
  async introspect(presented: PresentedClient, token: string): Promise<IntrospectionResponse> {
    return this.introspectFor(await this.authenticateClient(presented), token);
  }

  /** `introspect` for a client already authenticated (by whatever method its endpoint accepts). */
  async introspectFor(client: OAuthClient, token: string): Promise<IntrospectionResponse> {
    const found = await this.deps.em.findOne(OAuthAccessToken, { tokenHash: { $in: tokenHashes(token, this.deps.secretKeys) } }, { populate: ['client'] });
    const now = this.deps.clock.now();
    if (!found || found.revokedAt !== null || found.expiresAt <= now || found.customer.id !== client.customer.id || found.client.disabledAt !== null) {
      return { active: false };
    }
    const subject = await this.openSubject(found.customer.id, found.id, found.subject, found.personKeyId);
    // Its person erased: the token reaches nothing any more (verifyAccessToken refuses it too).
    if (subject === undefined) return { active: false };
    return {
      active: true,
      scope: formatScope(found.scopes),
      client_id: found.client.clientId,
      exp: Math.floor(found.expiresAt.getTime() / 1000),
      iat: Math.floor(found.issuedAt.getTime() / 1000),
      token_type: 'Bearer',
      // RFC 7662 §2.2: the resource owner, for tokens limited to one user.
      ...(subject !== null ? { sub: subject } : {}),
    };
  }
}
