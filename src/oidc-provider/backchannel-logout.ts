import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { fieldAad, KeyRing, openText, PersonKey, sealText } from '../keys';
import { LOGOUT_TOKEN_TYPE, logoutTokenClaims } from '../oidc/logout-token';
import { Clock } from '../shared/clock';
import { OutboundGuard } from '../shared/net/outbound-guard';
import { sendWebhook } from '../webhooks';
import type { IdTokenSigner } from './id-token-signer';
import type { OidcClientLookup } from './registered-client';

/**
 * One back-channel logout notification to one client, as queued. It holds no personal value in
 * clear: the subject is sealed under the person's own key, bound to this notification's `jti`, so
 * Redis (and its backups) never hold a username, and a person erased before delivery is not told
 * about any more (their key is gone, the notice no longer opens). The token itself is signed at each
 * attempt rather than when queued: a retry after the token's two minutes still sends a valid one.
 */
export const backchannelNoticePayload = z
  .object({
    customerId: z.string().uuid(),
    issuer: z.string().url(),
    clientId: z.string().min(1),
    jti: z.string().uuid(),
    personKeyId: z.string().uuid(),
    subject: z.string().min(1),
  })
  .strict();
export type BackchannelNotice = z.infer<typeof backchannelNoticePayload>;

/** How an attempt ended without needing another. */
export type BackchannelOutcome = 'delivered' | 'person_erased' | 'client_gone';

/** The receiver did not answer 2xx (or could not be reached): the job is tried again. */
export class BackchannelDeliveryError extends Error {
  constructor(readonly reason: string) {
    super(`back-channel logout not accepted: ${reason}`);
    this.name = 'BackchannelDeliveryError';
  }
}

export interface BackchannelLogoutDeps {
  keys: KeyRing;
  clients: OidcClientLookup;
  signer: IdTokenSigner;
  clock: Clock;
  /** The SSRF guard of customer URLs: every address is checked before a socket connects. */
  outbound: OutboundGuard;
  timeoutMs: number;
}

/** Where a notice's subject is sealed: bound to the notice, so it cannot be moved to another. */
function subjectAad(jti: string): string {
  return fieldAad('oidc_backchannel_logout', 'subject', jti);
}

/**
 * OpenID Connect Back-Channel Logout 1.0: the notices a logout queues, and the delivery of one —
 * a logout token POSTed to the client's `backchannel_logout_uri` (§2.5), expecting 2xx (§2.8).
 */
export class BackchannelLogout {
  constructor(private readonly deps: BackchannelLogoutDeps) {}

  /** The notice for one client, the subject sealed under the person's key. */
  static notice(input: { customerId: string; issuer: string; clientId: string; person: PersonKey; subject: string }): BackchannelNotice {
    const jti = randomUUID();
    return {
      customerId: input.customerId,
      issuer: input.issuer,
      clientId: input.clientId,
      jti,
      personKeyId: input.person.id,
      subject: sealText(input.person.key, subjectAad(jti), input.subject),
    };
  }

  /**
   * One delivery attempt: the client read afresh (a client disabled, deleted or without a
   * back-channel URI since is not notified), a fresh logout token, one POST. Throws
   * BackchannelDeliveryError when the receiver did not take it, so the job is retried.
   */
  async deliver(notice: BackchannelNotice): Promise<BackchannelOutcome> {
    const person = await this.deps.keys.personById(notice.customerId, notice.personKeyId);
    if (!person) return 'person_erased';
    const client = await this.deps.clients.find(notice.customerId, notice.clientId);
    if (!client?.backchannelLogoutUri) return 'client_gone';
    const claims = logoutTokenClaims({
      issuer: notice.issuer,
      clientId: client.clientId,
      subject: openText(person.key, subjectAad(notice.jti), notice.subject),
      jti: notice.jti,
      now: this.deps.clock.now(),
    });
    const token = await this.deps.signer.sign(notice.customerId, client.idTokenSignedResponseAlg, claims, LOGOUT_TOKEN_TYPE);
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'identity-services-oidc/1', 'cache-control': 'no-store' };
    const sent = await sendWebhook(client.backchannelLogoutUri, headers, new URLSearchParams({ logout_token: token }).toString(), this.deps.timeoutMs, this.deps.outbound);
    if (sent.statusCode !== null && sent.statusCode >= 200 && sent.statusCode < 300) return 'delivered';
    throw new BackchannelDeliveryError(sent.failure ?? `status ${sent.statusCode}`);
  }
}
