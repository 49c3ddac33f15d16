import { randomUUID } from 'node:crypto';
import { AuditService, currentActor } from '../audit';
import type { SqlPool } from '../db/sql-pool';
import { KeyRing, sealText } from '../keys';
import { formatScope, generateAccessToken, hashAccessToken, InvalidGrantError, InvalidRequestError, subjectAad, tokenHashes } from '../oauth';
import { Clock } from '../shared/clock';
import { RandomSource } from '../shared/random';
import { SecretKeyRing } from '../shared/secret-key-ring';
import { authenticationContext } from '../oidc/acr';
import { idTokenClaims } from '../oidc/id-token';
import { verifiesChallenge } from '../oidc/pkce';
import { StoredAuthorization } from '../oidc/stored-authorization';
import { claimCode, findCode, revokeCodeGrant } from './code-exchange.repository';
import { openCodeSubject } from './grant-subject';
import { IdTokenSigner } from './id-token-signer';
import { RegisteredClient } from './registered-client';
import { OidcTokenResponse, refreshSubjectAad } from './token-issuer';

export interface CodeExchangeDeps {
  pool: SqlPool;
  clock: Clock;
  random: RandomSource;
  secretKeys: SecretKeyRing;
  keys: KeyRing;
  audit: AuditService;
  signer: IdTokenSigner;
  accessTokenTtlSeconds: number;
  idTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

/** Every refusal of a code reads the same, so the client cannot tell which check failed. */
const REFUSED = 'the authorization code is invalid, expired, already used, not issued to this client, or the redirect_uri or code_verifier does not match';

/**
 * `grant_type=authorization_code` (OIDC Core §3.1.3.2, RFC 6749 §4.1.3, RFC 7636 §4.6) in two
 * statements on the login path's pool, outside the ORM: the code is read (findCode), checked here,
 * its tokens prepared (sealed, hashed, the ID token signed), and then one function claims the code
 * and writes them with their audit event in its own transaction (claimCode). A replayed code
 * revokes its grant in a call of its own, which commits although the answer is `invalid_grant`.
 */
export class CodeExchange {
  constructor(private readonly deps: CodeExchangeDeps) {}

  async exchange(issuer: string, client: RegisteredClient, params: ReadonlyMap<string, string>): Promise<OidcTokenResponse> {
    const codeValue = params.get('code');
    if (!codeValue) throw new InvalidRequestError('code is required');
    const redirectUri = params.get('redirect_uri');
    // OIDC Core §3.1.3.2 / RFC 6749 §4.1.3: required when the authorization request carried one, which ours always does.
    if (redirectUri === undefined) throw new InvalidRequestError('redirect_uri is required');
    const { pool, clock, secretKeys } = this.deps;
    const now = clock.now();
    const actor = currentActor();
    const customerId = client.customerId;
    const code = await findCode(pool, customerId, tokenHashes(codeValue, secretKeys));
    if (!code) throw new InvalidGrantError(REFUSED);
    if (code.usedAt !== null) {
      // RFC 6749 §4.1.2: a code used twice revokes what it produced (by whichever client presents it: the code leaked).
      await revokeCodeGrant(pool, customerId, code.id, now, actor, 'authorization code replayed');
      throw new InvalidGrantError(REFUSED);
    }
    const request = code.request as StoredAuthorization;
    if (code.expiresAt <= now || code.clientRowId !== client.id) throw new InvalidGrantError(REFUSED);
    // Exact string comparison (OIDC Core §3.1.3.2): no normalisation that could make two URIs equal.
    if (redirectUri !== request.redirectUri) throw new InvalidGrantError(REFUSED);
    if (!verifiesChallenge(params.get('code_verifier'), request.codeChallenge)) throw new InvalidGrantError(REFUSED);
    // The person erased since the sign-in: nobody is left to issue tokens for.
    const subject = await openCodeSubject(this.deps.keys, customerId, code);
    if (!subject) throw new InvalidGrantError(REFUSED);

    const context = authenticationContext(code.authPolicies);
    const fieldScopes = code.fields.map((field) => `profile.${field}`);
    const secret = secretKeys.current.secret.reveal();
    const accessToken = generateAccessToken(this.deps.random);
    const accessId = randomUUID();
    const answer: OidcTokenResponse = { access_token: accessToken, token_type: 'Bearer', expires_in: this.deps.accessTokenTtlSeconds, scope: formatScope(request.scopes) };
    if (request.scopes.includes('openid')) {
      const claims = idTokenClaims({
        issuer,
        subject: subject.username,
        clientId: client.clientId,
        now,
        ttlSeconds: this.deps.idTokenTtlSeconds,
        authTime: code.authTime,
        nonce: request.nonce,
        accessToken,
        alg: client.idTokenSignedResponseAlg,
        context,
      });
      answer.id_token = await this.deps.signer.sign(customerId, client.idTokenSignedResponseAlg, claims);
    }
    let refresh = null;
    if (request.scopes.includes('offline_access') && client.scopes.includes('offline_access')) {
      const refreshToken = generateAccessToken(this.deps.random);
      const refreshId = randomUUID();
      refresh = {
        id: refreshId,
        hash: hashAccessToken(refreshToken, secret),
        subject: sealText(subject.person.key, refreshSubjectAad(refreshId), subject.username),
        scopes: [...request.scopes, ...fieldScopes],
        // Absolute: the grant's refresh tokens all expire then, however often they rotate.
        expiresAt: new Date(now.getTime() + this.deps.refreshTokenTtlSeconds * 1000),
      };
      answer.refresh_token = refreshToken;
    }
    const claimed = await claimCode(pool, {
      customerId,
      codeId: code.id,
      now,
      actor,
      clientRowId: client.id,
      clientId: client.clientId,
      sealedUsername: code.username,
      usernameHash: subject.usernameHash,
      subjectHash: this.deps.audit.subjectHash(customerId, subject.username),
      personKeyId: subject.person.id,
      scopes: request.scopes,
      fieldScopes,
      access: {
        id: accessId,
        hash: hashAccessToken(accessToken, secret),
        subject: sealText(subject.person.key, subjectAad(accessId), subject.username),
        expiresAt: new Date(now.getTime() + this.deps.accessTokenTtlSeconds * 1000),
      },
      refresh,
      authTime: code.authTime,
      acr: context.acr,
    });
    // A concurrent exchange won the code: the function revoked its grant (a race for a code is a replay).
    if (claimed.outcome !== 'issued') throw new InvalidGrantError(REFUSED);
    return answer;
  }
}
