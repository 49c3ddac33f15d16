import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { fieldAad, sealText } from '../keys';
import { formatScope, generateAccessToken, hashAccessToken, OAuthClient, OAuthTokenService, TokenSubject } from '../oauth';
import { AuditService } from '../audit';
import { Clock } from '../shared/clock';
import { RandomSource } from '../shared/random';
import { SecretKeyRing } from '../shared/secret-key-ring';
import { AuthenticationContext } from '../oidc/acr';
import { idTokenClaims } from '../oidc/id-token';
import { IdTokenSigner } from './id-token-signer';
import { RegisteredClient } from './registered-client';
import { OAuthRefreshToken } from './refresh-token.entity';

export interface TokenIssuerDeps {
  em: EntityManager;
  clock: Clock;
  random: RandomSource;
  secretKeys: SecretKeyRing;
  tokens: OAuthTokenService;
  signer: IdTokenSigner;
  audit: AuditService;
  idTokenTtlSeconds: number;
}

/** OIDC Core §3.1.3.3 successful token response. */
export interface OidcTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  id_token?: string;
  refresh_token?: string;
}

/** What one issuance of a grant needs: who, for whom, with which scopes, and the sign-in it stems from. */
export interface Issuance {
  issuer: string;
  client: RegisteredClient;
  subject: TokenSubject;
  /** The OpenID Connect scopes of this issuance (`openid` first when present). */
  scopes: readonly string[];
  /** `profile.<field>` scopes of the released fields (none for a restricted person). */
  fieldScopes: readonly string[];
  grantId: string;
  authTime: Date | null;
  context: AuthenticationContext;
  nonce: string | null;
  /** When set, a refresh token of the grant is issued too, expiring then (with these scopes to refresh with). */
  refresh: { expiresAt: Date; scopes: readonly string[] } | null;
}

/** Where a refresh token's subject is sealed: bound to its row. */
export function refreshSubjectAad(tokenId: string): string {
  return fieldAad('oauth_refresh_token', 'subject', tokenId);
}

/**
 * Issues the tokens of one step of a grant, in the current unit of work: an access token
 * (OAuthTokenService.createToken, so it works at the GraphQL API like a login code's), an ID token
 * signed with the customer's key for the client's algorithm, and a refresh token when asked.
 */
export class TokenIssuer {
  constructor(private readonly deps: TokenIssuerDeps) {}

  async issue(issuance: Issuance): Promise<OidcTokenResponse> {
    const { client, subject } = issuance;
    const entity = await this.deps.em.findOneOrFail(OAuthClient, { id: client.id });
    // Our API's scopes beside the OIDC ones: the profile read of the released fields, like a login code's token.
    const accessScopes = [...issuance.scopes, 'profiles:read', ...issuance.fieldScopes];
    const { response, row } = await this.deps.tokens.createToken(entity, accessScopes, subject, issuance.grantId);
    const answer: OidcTokenResponse = { ...response, scope: formatScope(issuance.scopes) };
    if (issuance.scopes.includes('openid')) {
      const claims = idTokenClaims({
        issuer: issuance.issuer,
        subject: subject.username,
        clientId: client.clientId,
        now: row.issuedAt,
        ttlSeconds: this.deps.idTokenTtlSeconds,
        authTime: issuance.authTime,
        nonce: issuance.nonce,
        accessToken: response.access_token,
        alg: client.idTokenSignedResponseAlg,
        context: issuance.context,
      });
      answer.id_token = await this.deps.signer.sign(client.customerId, client.idTokenSignedResponseAlg, claims);
    }
    if (issuance.refresh !== null) answer.refresh_token = this.addRefreshToken(entity, issuance, issuance.refresh);
    await this.deps.em.flush();
    return answer;
  }

  private addRefreshToken(client: OAuthClient, issuance: Issuance, refresh: { expiresAt: Date; scopes: readonly string[] }): string {
    const token = generateAccessToken(this.deps.random);
    const id = randomUUID();
    this.deps.em.create(OAuthRefreshToken, {
      id,
      tokenHash: hashAccessToken(token, this.deps.secretKeys.current.secret.reveal()),
      customer: client.customer,
      client,
      grantId: issuance.grantId,
      subject: sealText(issuance.subject.person.key, refreshSubjectAad(id), issuance.subject.username),
      subjectHash: issuance.subject.usernameHash,
      personKeyId: issuance.subject.person.id,
      scopes: [...refresh.scopes],
      authTime: issuance.authTime,
      acr: issuance.context.acr,
      issuedAt: this.deps.clock.now(),
      expiresAt: refresh.expiresAt,
      usedAt: null,
      revokedAt: null,
    });
    return token;
  }
}
