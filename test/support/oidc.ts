import { randomBytes, randomUUID } from 'node:crypto';
import { CryptoKey, exportJWK, generateKeyPair, JWK, SignJWT } from 'jose';
import type { App } from '../../src/app';
import { OAuthClient } from '../../src/oauth';
import type { TokenEndpointAuthMethod } from '../../src/oauth/oauth-client.entity';
import { hashClientSecret, hashLoginCode } from '../../src/oauth/client-credentials';
import { sealText, usernameAad } from '../../src/keys';
import type { StoredAuthorization } from '../../src/oidc/stored-authorization';
import { s256Challenge } from '../../src/oidc/pkce';
import { inContext, ownerSql } from './app';

export interface TestOidcClient {
  id: string;
  clientId: string;
  clientSecret: string | null;
  redirectUri: string;
  /** The private key of a `private_key_jwt` client. */
  privateKey?: CryptoKey;
}

/** Registers an OIDC relying party as an `oauth_client` row of kind OIDC (the data contract), through the ORM. */
export async function createOidcClient(
  app: App,
  customerId: string,
  options: { method?: TokenEndpointAuthMethod; scopes?: string[]; alg?: 'ES256' | 'RS256'; redirectUri?: string } = {},
): Promise<TestOidcClient> {
  const method = options.method ?? 'client_secret_basic';
  const secret = method === 'client_secret_basic' || method === 'client_secret_post' ? randomBytes(32).toString('base64url') : null;
  const redirectUri = options.redirectUri ?? 'https://rp.example.com/callback';
  let jwks: { keys: JWK[] } | null = null;
  let privateKey: CryptoKey | undefined;
  if (method === 'private_key_jwt') {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'rp-key-1', alg: 'ES256', use: 'sig' }] };
  }
  const id = randomUUID();
  const clientId = `cli_${randomBytes(16).toString('base64url')}`;
  await inContext(app, async () => {
    const em = app.orm.em;
    em.create(OAuthClient, {
      id,
      clientId,
      customer: customerId,
      name: 'Test RP',
      kind: 'OIDC',
      scopes: options.scopes ?? ['openid', 'profile', 'email', 'offline_access'],
      secretHash: secret === null ? null : hashClientSecret(secret),
      redirectUris: [redirectUri],
      tokenEndpointAuthMethod: method,
      jwks: jwks as OAuthClient['jwks'],
      idTokenSignedResponseAlg: options.alg ?? 'ES256',
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    await em.flush();
  });
  return { id, clientId, clientSecret: secret, redirectUri, privateKey };
}

export interface TestCode {
  code: string;
  id: string;
  verifier: string;
}

/**
 * Stores an authorization code exactly as the completion step (`ids_flow_complete`) writes one: its
 * HMAC, the client, the username sealed under the person's key, the released fields, the stored
 * request, the AW's auth_time and PAPE policies.
 */
export async function insertOidcCode(
  app: App,
  customerId: string,
  client: TestOidcClient,
  username: string,
  options: { fields?: string[]; scopes?: string[]; nonce?: string | null; authTime?: Date | null; policies?: string[] | null; now?: Date; ttlSeconds?: number } = {},
): Promise<TestCode> {
  const now = options.now ?? new Date();
  const code = randomBytes(32).toString('base64url');
  const verifier = randomBytes(48).toString('base64url');
  const id = randomUUID();
  const keys = app.services.keys;
  const person = await inContext(app, () => keys.person(customerId, username, app.services.audit.subjectHash(customerId, username)));
  const usernameHash = keys.lookupHash(await inContext(app, () => keys.customer(customerId)), 'username', username);
  const request: StoredAuthorization = {
    clientId: client.clientId,
    clientRowId: client.id,
    clientName: 'Test RP',
    logoUri: null,
    redirectUri: client.redirectUri,
    state: 'st',
    nonce: options.nonce === undefined ? 'n-0S6_WzA2Mj' : options.nonce,
    codeChallenge: s256Challenge(verifier),
    scopes: options.scopes ?? ['openid', 'email', 'offline_access'],
    maxAge: null,
    prompt: [],
    uiLocales: null,
    acrValues: null,
  };
  await ownerSql(
    `insert into oidc_code (id, code_hash, customer_id, client_id, auth_request_id, username, username_hash, person_key_id, fields, request, auth_time, auth_policies, issued_at, expires_at)
     values (?, ?, ?, ?, null, ?, ?, ?, ?::text[], ?::jsonb, ?, ?::text[], ?, ?)`,
    [
      id,
      hashLoginCode(code, app.config.SECRET_KEYS.current.secret.reveal()),
      customerId,
      client.id,
      sealText(person.key, usernameAad(person.id), username),
      usernameHash,
      person.id,
      `{${(options.fields ?? ['email']).join(',')}}`,
      JSON.stringify(request),
      options.authTime === undefined ? new Date(now.getTime() - 30_000) : options.authTime,
      options.policies === undefined || options.policies === null ? null : `{${options.policies.map((p) => `"${p}"`).join(',')}}`,
      now,
      new Date(now.getTime() + (options.ttlSeconds ?? 60) * 1000),
    ],
  );
  return { code, id, verifier };
}

/** A `private_key_jwt` client assertion (RFC 7523) for `audience`, valid for `lifetimeSeconds`. */
export async function clientAssertion(client: TestOidcClient, audience: string, options: { jti?: string; lifetimeSeconds?: number; now?: Date; key?: CryptoKey } = {}): Promise<string> {
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ jti: options.jti ?? randomUUID() })
    .setProtectedHeader({ alg: 'ES256', kid: 'rp-key-1' })
    .setIssuer(client.clientId)
    .setSubject(client.clientId)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.lifetimeSeconds ?? 60))
    .sign(options.key ?? client.privateKey!);
}

/** POSTs a form to `url`; the status, JSON body and headers. */
export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });
  const text = await res.text();
  const isJson = /json/.test(res.headers.get('content-type') ?? '');
  return { status: res.status, body: (isJson ? JSON.parse(text) : { text }) as Record<string, unknown>, headers: res.headers };
}

/** The client's credentials as its registered method sends them. */
export function clientAuth(client: TestOidcClient, method: TokenEndpointAuthMethod = 'client_secret_basic'): { form: Record<string, string>; headers: Record<string, string> } {
  if (method === 'client_secret_basic') {
    const basic = Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret!)}`).toString('base64');
    return { form: {}, headers: { authorization: `Basic ${basic}` } };
  }
  if (method === 'client_secret_post') return { form: { client_id: client.clientId, client_secret: client.clientSecret! }, headers: {} };
  return { form: { client_id: client.clientId }, headers: {} };
}
