import { createDiffieHellman, type DiffieHellman } from 'node:crypto';
import {
  DEFAULT_DH_GENERATOR,
  DEFAULT_DH_MODULUS,
  IDENTIFIER_SELECT,
  OPENID2_NS,
  SREG_NS_1_1,
  base64ToBigInt,
  bigIntToBase64,
  computeSignature,
  encodeKvForm,
  hashSharedSecret,
  parseKvForm,
} from '../src/openid';
import { CookieJar, HttpClient, redirectTarget } from './http-client';

/**
 * Our login flow as one driver plays it: RP (checkid_setup, assertion check), browser (redirects,
 * cookies, consent form) and AW (server-to-server postback), all over the shared keep-alive client.
 *
 *   RP → GET /openid (checkid_setup) → 302 Verify URL (the AW: not fetched, the driver is the AW)
 *   AW → POST /ows_auth (postback, API key) → 200 OK
 *   browser → GET /ows_return → 302 return_to with the positive assertion
 *            [consent variant: → 200 consent page → POST /ows_consent → 302 return_to]
 *   RP → checks the signature with the association's MAC key
 *            [stateless variant: → POST /openid check_authentication → is_valid:true]
 */

export type OpenIdVariant = 'association' | 'stateless' | 'consent' | 'fresh-association';

export interface OpenIdTarget {
  client: HttpClient;
  baseUrl: string;
  slug: string;
  apiKey: string;
}

// A realm under a registrable domain: the service refuses over-broad ones (public suffixes).
const REALM = 'http://rp.example.org/';
/** Usernames cycle through a fixed pool, so profiles are updated rather than piling up. */
const USER_POOL = 1000;

interface RpAssociation {
  handle: string;
  secret: Buffer;
}

/** Unsigned big-endian bytes of a non-negative integer, as node:crypto wants DH values. */
function unsignedBytes(n: bigint): Buffer {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
}

/**
 * The RP's half of DH-SHA256 (§8.4.2). One consumer key pair serves every association: the server
 * still draws its own key and does its full exchange each time, which is what is being measured.
 */
class DhConsumer {
  private readonly dh: DiffieHellman = createDiffieHellman(unsignedBytes(DEFAULT_DH_MODULUS), unsignedBytes(DEFAULT_DH_GENERATOR));
  readonly publicKey: string;

  constructor() {
    this.publicKey = bigIntToBase64(BigInt(`0x${this.dh.generateKeys('hex')}`));
  }

  macKey(serverPublic: string, encMacKey: string): Buffer {
    const server = base64ToBigInt(serverPublic);
    if (server === undefined) throw new Error('associate: dh_server_public is not base64');
    const shared = BigInt(`0x${this.dh.computeSecret(unsignedBytes(server)).toString('hex')}`);
    const mask = hashSharedSecret(shared, 'DH-SHA256');
    const encrypted = Buffer.from(encMacKey, 'base64');
    return Buffer.from(encrypted.map((byte, i) => byte ^ mask[i]!));
  }
}

async function associate(target: OpenIdTarget, endpoint: string, dh: DhConsumer): Promise<RpAssociation> {
  const res = await target.client.request(endpoint, {
    method: 'POST',
    form: {
      'openid.ns': OPENID2_NS,
      'openid.mode': 'associate',
      'openid.assoc_type': 'HMAC-SHA256',
      'openid.session_type': 'DH-SHA256',
      'openid.dh_consumer_public': dh.publicKey,
    },
  });
  const kv = parseKvForm(res.body);
  const handle = kv.get('assoc_handle');
  if (res.status !== 200 || handle === undefined) throw new Error(`associate: ${res.status} ${res.body.slice(0, 200)}`);
  return { handle, secret: dh.macKey(kv.get('dh_server_public') ?? '', kv.get('enc_mac_key') ?? '') };
}

/**
 * One DH-SHA256 associate on the default group per call, checked like an RP does (it must unmask the
 * MAC key): the whole exchange the service does, plus the row it stores.
 */
export function associateFlow(target: OpenIdTarget): () => Promise<void> {
  const endpoint = `${target.baseUrl}/c/${target.slug}/openid`;
  const dh = new DhConsumer();
  return async () => {
    const association = await associate(target, endpoint, dh);
    if (association.secret.length !== 32) throw new Error('associate: MAC key of the wrong length');
  };
}

/** Reads the hidden fields and checkboxes of the consent form (as test/support/flow.ts does). */
function consentForm(html: string): Array<[string, string]> {
  const hidden = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
  const shares = [...html.matchAll(/name="share" value="([^"]+)"/g)].map((m): [string, string] => ['share', m[1]!]);
  return [['auth_request', hidden('auth_request')], ['csrf', hidden('csrf')], ...shares, ['decision', 'allow']];
}

/** The RP's checks of a positive assertion (§11), the signature by the shared MAC key if it has one. */
function checkAssertion(location: string, returnTo: string, username: string, association: RpAssociation | undefined): URLSearchParams {
  if (!location.startsWith(`${returnTo}&`)) throw new Error(`assertion went elsewhere: ${location.slice(0, 120)}`);
  const params = new URL(location).searchParams;
  if (params.get('openid.mode') !== 'id_res') throw new Error(`not a positive assertion: ${params.get('openid.mode')}`);
  if (!params.get('openid.claimed_id')?.endsWith(`/id/${username}`)) throw new Error('assertion names another user');
  if (params.get('openid.sreg.email') !== `${username}@example.com`) throw new Error('sreg email missing from the assertion');
  if (association === undefined) return params;
  if (params.get('openid.assoc_handle') !== association.handle || params.has('openid.invalidate_handle')) {
    throw new Error('assertion not signed with our association');
  }
  const signed = (params.get('openid.signed') ?? '').split(',');
  for (const required of ['op_endpoint', 'return_to', 'response_nonce', 'assoc_handle', 'claimed_id', 'identity']) {
    if (!signed.includes(required)) throw new Error(`assertion does not sign ${required}`);
  }
  const base = encodeKvForm(signed.map((key): [string, string] => [key, params.get(`openid.${key}`) ?? '']));
  if (computeSignature('HMAC-SHA256', association.secret, base) !== params.get('openid.sig')) throw new Error('bad assertion signature');
  return params;
}

/** Prepares a variant (associating once when it uses a shared association) and returns one flow. */
export async function openIdFlow(target: OpenIdTarget, variant: OpenIdVariant): Promise<() => Promise<void>> {
  const base = `${target.baseUrl}/c/${target.slug}`;
  const endpoint = `${base}/openid`;
  const dh = new DhConsumer();
  const shared = variant === 'association' || variant === 'consent' ? await associate(target, endpoint, dh) : undefined;
  let flows = 0;

  return async () => {
    const n = flows++;
    const username = `user${n % USER_POOL}`;
    const returnTo = `${REALM}return?flow=${n}`;
    const jar = new CookieJar();
    const association = variant === 'fresh-association' ? await associate(target, endpoint, dh) : shared;

    const checkid: Record<string, string> = {
      'openid.ns': OPENID2_NS,
      'openid.mode': 'checkid_setup',
      'openid.claimed_id': IDENTIFIER_SELECT,
      'openid.identity': IDENTIFIER_SELECT,
      'openid.return_to': returnTo,
      'openid.realm': REALM,
      'openid.ns.sreg': SREG_NS_1_1,
      'openid.sreg.required': 'email',
      'openid.sreg.optional': 'nickname,fullname',
    };
    if (association) checkid['openid.assoc_handle'] = association.handle;
    const verifyUrl = new URL(redirectTarget(await target.client.request(`${endpoint}?${new URLSearchParams(checkid)}`, { jar }), 'checkid_setup'));
    const requestId = verifyUrl.searchParams.get('request_id');
    if (!requestId) throw new Error('Verify URL without request_id');

    const postback = await target.client.request(`${base}/ows_auth`, {
      method: 'POST',
      form: {
        request_id: requestId,
        api_key: target.apiKey,
        username,
        no_prompt: variant === 'consent' ? 'false' : 'true',
        sreg_email: `${username}@example.com`,
        sreg_nickname: username,
        sreg_fullname: `Bench User ${n % USER_POOL}`,
      },
    });
    if (postback.status !== 200) throw new Error(`postback: ${postback.status} ${postback.body.slice(0, 200)}`);

    let back = await target.client.request(`${base}/ows_return?request_id=${requestId}`, { jar });
    if (variant === 'consent') {
      if (back.status !== 200) throw new Error(`expected the consent page, got ${back.status}`);
      back = await target.client.request(`${base}/ows_consent`, { method: 'POST', form: consentForm(back.body), jar });
    }
    const params = checkAssertion(redirectTarget(back, 'return'), returnTo, username, association);

    if (variant === 'stateless') {
      const fields: Array<[string, string]> = [...params].filter(([key]) => key.startsWith('openid.'));
      const verify = await target.client.request(endpoint, {
        method: 'POST',
        form: fields.map(([key, value]): [string, string] => [key, key === 'openid.mode' ? 'check_authentication' : value]),
      });
      if (parseKvForm(verify.body).get('is_valid') !== 'true') throw new Error(`check_authentication: ${verify.body.slice(0, 200)}`);
    }
  };
}
