import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, errors as joseErrors, JSONWebKeySet, jwtVerify } from 'jose';
import { hashClientSecret, InvalidClientError } from '../oauth';
import { secretsEqual } from '../shared/secret-compare';
import { Clock } from '../shared/clock';
import { PresentedOidcClient } from './client-auth-method';
import { JtiStore } from './jti-store';
import { OidcClientLookup, RegisteredClient } from './registered-client';

export interface ClientAuthenticatorDeps {
  clients: OidcClientLookup;
  clock: Clock;
  jtis: JtiStore;
}

/** RFC 7523 §3: how far ahead an assertion may expire; a longer-lived one could be replayed for longer than we remember it. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;

/**
 * Signature algorithms a client's assertion may use: asymmetric only (its `jwks` are public keys; `none` and HMAC never),
 * and those a registrable key (EC P-256, RSA) signs with, as discovery lists them.
 */
const ASSERTION_ALGS = ['ES256', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

/** Where an assertion may be addressed (RFC 7523 §3 `aud`): the issuer, the token endpoint, or the endpoint it is sent to. */
export interface AssertionAudience {
  issuer: string;
  tokenEndpoint: string;
  endpoint: string;
}

/**
 * Authenticates an OpenID Connect client at the token, revocation and introspection endpoints by
 * the one method it registered (`token_endpoint_auth_method`, OIDC Core §9): any other method, an
 * unknown client, a wrong secret or a bad assertion is `invalid_client` alike, so the answer does
 * not tell which client ids exist.
 */
export class OidcClientAuthenticator {
  constructor(private readonly deps: ClientAuthenticatorDeps) {}

  async authenticate(customerId: string, presented: PresentedOidcClient, audience: AssertionAudience): Promise<RegisteredClient> {
    const refuse = () => new InvalidClientError(presented.method === 'client_secret_basic');
    const clientId = presented.method === 'private_key_jwt' ? (presented.clientId ?? issuerOf(presented.assertion)) : presented.clientId;
    if (clientId === null) throw refuse();
    const client = await this.deps.clients.find(customerId, clientId);
    if (!client || client.tokenEndpointAuthMethod !== presented.method) throw refuse();
    switch (presented.method) {
      case 'client_secret_basic':
      case 'client_secret_post':
        if (client.secretHash === null || !secretsEqual(client.secretHash, hashClientSecret(presented.clientSecret))) throw refuse();
        return client;
      case 'private_key_jwt':
        if (!(await this.verifyAssertion(client, presented.assertion, audience))) throw refuse();
        return client;
      case 'none':
        return client;
    }
  }

  /**
   * RFC 7523 §3 and OIDC Core §9: signed by one of the client's keys, `iss` = `sub` = client_id,
   * addressed to us, `exp` present and at most five minutes ahead, and a `jti` not seen before.
   */
  private async verifyAssertion(client: RegisteredClient, assertion: string, audience: AssertionAudience): Promise<boolean> {
    if (client.jwks === null || client.jwks.keys.length === 0) return false;
    const now = this.deps.clock.now();
    let payload;
    try {
      ({ payload } = await jwtVerify(assertion, createLocalJWKSet(client.jwks as unknown as JSONWebKeySet), {
        issuer: client.clientId,
        subject: client.clientId,
        audience: [audience.issuer, audience.tokenEndpoint, audience.endpoint],
        algorithms: ASSERTION_ALGS,
        requiredClaims: ['exp', 'jti'],
        currentDate: now,
      }));
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) return false;
      throw err;
    }
    const remainingMs = payload.exp! * 1000 - now.getTime();
    if (remainingMs > MAX_ASSERTION_LIFETIME_SECONDS * 1000) return false;
    return this.deps.jtis.claimOnce(`${client.customerId}:${client.id}:${createHash('sha256').update(String(payload.jti)).digest('base64url')}`, remainingMs);
  }
}

/** The (unverified) issuer of an assertion, only to find the client whose keys then verify it. */
function issuerOf(assertion: string): string | null {
  try {
    const iss = decodeJwt(assertion).iss;
    return typeof iss === 'string' && iss !== '' ? iss : null;
  } catch {
    return null;
  }
}
