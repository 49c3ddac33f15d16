import { calculateJwkThumbprint, exportJWK, generateKeyPair, JWK } from 'jose';
import type { IdTokenAlg } from '../oauth/oauth-client.entity';

/** A new key pair as JWKs: the public one as published, the private one to be sealed. */
export interface NewKeyMaterial {
  /** The RFC 7638 thumbprint (SHA-256) of the public key: stable, unique, and derivable by anyone holding it. */
  readonly kid: string;
  readonly publicJwk: JWK;
  readonly privateJwk: JWK;
}

/** ES256 is P-256 (RFC 7518 §3.4); RS256 keys are 2048 bits, the minimum RFC 7518 §3.3 allows. */
const GENERATE_OPTIONS: Record<IdTokenAlg, { crv?: string; modulusLength?: number }> = {
  ES256: { crv: 'P-256' },
  RS256: { modulusLength: 2048 },
};

/** The members of a public JWK per key type (RFC 7518 §6.2.1, §6.3.1), plus what RFC 7517 §4 adds. */
const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  EC: ['kty', 'crv', 'x', 'y'],
  RSA: ['kty', 'n', 'e'],
};
const COMMON_MEMBERS = ['kid', 'alg', 'use'] as const;

export async function generateKeyMaterial(alg: IdTokenAlg): Promise<NewKeyMaterial> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { ...GENERATE_OPTIONS[alg], extractable: true });
  const exported = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(exported, 'sha256');
  const publicJwk = publicPart({ ...exported, kid, alg, use: 'sig' });
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  return { kid, publicJwk, privateJwk };
}

/**
 * Only the public members of `jwk`, by an allow-list: whatever a stored or given JWK carries
 * besides (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`), never reaches a JWKS.
 */
export function publicPart(jwk: JWK): JWK {
  const members = PUBLIC_MEMBERS[jwk.kty ?? ''];
  if (!members) throw new Error(`not a public key type: ${String(jwk.kty)}`);
  const out: Record<string, unknown> = {};
  for (const name of [...members, ...COMMON_MEMBERS]) if ((jwk as Record<string, unknown>)[name] !== undefined) out[name] = (jwk as Record<string, unknown>)[name];
  return out as JWK;
}
