import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Clock } from '../shared/clock';
import { RandomSource, randomToken } from '../shared/random';
import { SecretKeyRing } from '../shared/secret-key-ring';
import { OAuthAccessToken } from './access-token.entity';
import { hashLoginCode, tokenHashes } from './client-credentials';
import { OAuthLoginCode } from './login-code.entity';
import { PresentedClient } from './client-authentication';
import { InvalidGrantError } from './oauth.errors';
import { OAuthTokenService, TokenResponse, TokenSubject } from './token.service';
import { KeyRing, matchWhere, openStored, usernameAad } from '../keys';
import { AuditService } from '../audit';
import { Profile } from '../profiles/profile.entity';
import { accessTokenIdOfCode } from './login-code.repository';

export interface LoginCodeServiceDeps {
  em: EntityManager;
  clock: Clock;
  random: RandomSource;
  /** Codes are stored hashed under the newest version and found under any. */
  secretKeys: SecretKeyRing;
  loginCodeTtlSeconds: number;
  tokens: OAuthTokenService;
  audit: AuditService;
  keys: KeyRing;
}

/** A login code before it is stored: the code for the RP, and the id, HMAC and expiry the database keeps. */
export interface PendingLoginCode {
  code: string;
  id: string;
  hash: string;
  expiresAt: Date;
}

/** Every refusal of a code reads the same to the client, so it cannot tell which check failed. */
const REFUSED = 'the login code is invalid, expired, already used or not issued to this customer';

/**
 * One-time login codes (issue 5, item 2): issued when a sign-in completes, exchanged once by one
 * of the customer's OAuth clients at POST /oauth/token (`grant_type=authorization_code`) for an
 * access token limited to that user and the fields the user released.
 */
export class OAuthLoginCodeService {
  constructor(private readonly deps: LoginCodeServiceDeps) {}

  /**
   * A new login code and what is stored of it (its HMAC, an id, its expiry), chosen before the
   * step that completes a sign-in: that step stores it in its own statement, and only when the
   * customer has an enabled OAuth client (nobody else could exchange it). 32 random bytes, base64url.
   */
  prepare(): PendingLoginCode {
    const code = randomToken(this.deps.random, 32);
    return {
      code,
      id: randomUUID(),
      hash: hashLoginCode(code, this.deps.secretKeys.current.secret.reveal()),
      expiresAt: new Date(this.deps.clock.now().getTime() + this.deps.loginCodeTtlSeconds * 1000),
    };
  }

  /**
   * The authorization code grant for login codes. The client must be one of the code's customer's;
   * the token's scopes are `profiles:read` plus `profile.<field>` for each released field (none
   * when the user's processing is restricted by then), and it is limited to the code's user. A code is good once: presenting it again is `invalid_grant` and
   * revokes the token issued from it (RFC 6749 §4.1.2, §10.5).
   */
  async exchange(presented: PresentedClient, code: string): Promise<TokenResponse> {
    const client = await this.deps.tokens.authenticateClient(presented);
    const codeHashes = tokenHashes(code, this.deps.secretKeys);
    const now = this.deps.clock.now();
    const result = await this.deps.em.transactional(async (em) => {
      const found = await em.findOne(OAuthLoginCode, { codeHash: { $in: codeHashes }, customer: client.customer.id });
      if (!found) return null;
      // Claim the code with a compare-and-set, so two concurrent exchanges cannot both win: the
      // loser waits on the row lock and then sees used_at set by the winner.
      const claimed = found.usedAt === null && found.expiresAt > now ? await em.nativeUpdate(OAuthLoginCode, { id: found.id, usedAt: null }, { usedAt: now }) : 0;
      if (claimed === 0) {
        // Used before (or expired): revoke whatever it produced; a code that was never used produced nothing.
        await this.revokeIssuedFrom(em, found.id, client.customer.id, now);
        return null;
      }
      // The code's user, opened; a person erased since the sign-in has no key, and the code nobody to reach.
      const subject = await this.subjectOf(found);
      if (!subject) return null;
      // A restriction set after the sign-in still counts (GDPR art. 18): then the token carries no field.
      const restricted = await em.count(Profile, {
        customer: found.customer,
        ...matchWhere({ hashes: [{ customerId: found.customer.id, hash: subject.usernameHash }], clear: subject.username }, 'usernameHash', 'username'),
        restrictedAt: { $ne: null },
      });
      const scopes = ['profiles:read', ...(restricted > 0 ? [] : found.fields.map((field) => `profile.${field}`))];
      const { response, row } = await this.deps.tokens.createToken(client, scopes, subject);
      await em.flush();
      await em.nativeUpdate(OAuthLoginCode, { id: found.id }, { accessToken: row.id });
      return response;
    });
    if (!result) throw new InvalidGrantError(REFUSED);
    return result;
  }

  /**
   * The code's user: its username opened under their key (`person.username:<key id>`), or, for a
   * code issued before encryption (clear username), their key got or made now so the token's
   * subject is sealed all the same. Null when their key is gone (erased).
   */
  private async subjectOf(code: OAuthLoginCode): Promise<TokenSubject | null> {
    const customerId = code.customer.id;
    if (code.personKeyId === null) {
      const person = await this.deps.keys.person(customerId, code.username, this.deps.audit.subjectHash(customerId, code.username));
      return { username: code.username, person, usernameHash: this.deps.keys.lookupHash(await this.deps.keys.customer(customerId), 'username', code.username) };
    }
    const person = await this.deps.keys.personById(customerId, code.personKeyId);
    if (!person) return null;
    const username = openStored(person, usernameAad(person.id), code.username);
    return { username, person, usernameHash: code.usernameHash ?? this.deps.keys.lookupHash(await this.deps.keys.customer(customerId), 'username', username) };
  }

  /** Revokes the token a used code produced (read fresh: a concurrent winner may have just set it). */
  private async revokeIssuedFrom(em: EntityManager, codeId: string, customerId: string, now: Date): Promise<void> {
    const tokenId = await accessTokenIdOfCode(em, codeId);
    if (!tokenId) return;
    const revoked = await em.nativeUpdate(OAuthAccessToken, { id: tokenId, revokedAt: null }, { revokedAt: now });
    if (revoked > 0) {
      await this.deps.audit.record({ customerId, action: 'token.revoked', target: { type: 'oauth_access_token', id: tokenId }, details: { reason: 'login code replayed' } });
    }
  }
}
