import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import type { AuditService } from '../audit';
import type { CustomerConfig } from '../customers';
import type { KeyRing } from '../keys';
import { oidcEndpoints } from '../oidc/endpoints';
import {
  checkPostLogoutRedirect,
  hintClaims,
  LogoutParams,
  LogoutRefusal,
  LogoutRefusedError,
  LogoutRequest,
  parseLogoutRequest,
  postLogoutRedirectUrl,
} from '../oidc/logout-request';
import { Clock } from '../shared/clock';
import { BackchannelLogout, BackchannelNotice } from './backchannel-logout';
import type { IdTokenSigner } from './id-token-signer';
import { endPersonGrants } from './logout.repository';
import type { OidcClientLookup, RegisteredClient } from './registered-client';

export interface OidcLogoutDeps {
  em: EntityManager;
  clock: Clock;
  keys: KeyRing;
  audit: AuditService;
  /** Customers by slug, cached in the process. */
  customers: { bySlug(slug: string): Promise<CustomerConfig | null> };
  clients: OidcClientLookup;
  signer: IdTokenSigner;
  publicUrl: string;
  /** Queues a notice once the current unit of work has committed (the revocations it follows are then visible). */
  notify(notice: BackchannelNotice): void;
}

/** What the end-session endpoint answers: a page for the person, or the client's registered post-logout address. */
export type LogoutResult =
  | { kind: 'refused'; refusal: LogoutRefusal | 'UNKNOWN_PROVIDER' }
  /** No `id_token_hint`: nobody was named, nothing was changed. */
  | { kind: 'nothing_to_do' }
  /** A valid request not yet confirmed by the person: ask them (nothing has changed). */
  | { kind: 'confirm'; clientName: string; customerName: string }
  | { kind: 'signed_out'; clientName: string }
  | { kind: 'redirect'; location: string };

/**
 * The end-session endpoint of every customer's OpenID Connect provider (RP-Initiated Logout 1.0).
 * We hold no login session (the AW does), so "signing the person out" ends what we do hold: every
 * OpenID Connect grant of that person at this customer (refresh and access tokens), and each client
 * that held one is told by a back-channel logout token (Back-Channel Logout 1.0).
 *
 * Runs in one unit of work of the slug's customer. Everything is checked before anything changes:
 * a refused request revokes nothing and never redirects.
 */
export class OidcLogoutService {
  constructor(private readonly deps: OidcLogoutDeps) {}

  /** `confirmed`: the person pressed "Sign out" on the confirmation page (the route checked its CSRF token). */
  async logout(slug: string, params: LogoutParams, confirmed: boolean): Promise<LogoutResult> {
    const customer = await this.deps.customers.bySlug(slug);
    if (!customer) return { kind: 'refused', refusal: 'UNKNOWN_PROVIDER' };
    const issuer = oidcEndpoints(this.deps.publicUrl, customer.slug).issuer;
    try {
      const request = parseLogoutRequest(params);
      const named = request.clientId === null ? null : await this.client(customer.id, request.clientId);
      if (request.idTokenHint === null) {
        // §2 lets an OP redirect without a hint only when it has "other means of confirming" the
        // target; we have none, and no session of our own to end: check what was sent, change nothing.
        checkPostLogoutRedirect(request, named);
        return { kind: 'nothing_to_do' };
      }
      const { sub, client } = await this.verifyHint(customer.id, issuer, request);
      const redirectTo = checkPostLogoutRedirect(request, client);
      // §2: the OP asks the person first. Whoever holds one of their ID tokens could otherwise end all their grants from anywhere.
      if (!confirmed) return { kind: 'confirm', clientName: client.name, customerName: customer.name };
      await this.signOut(customer, issuer, sub);
      if (redirectTo !== null) return { kind: 'redirect', location: postLogoutRedirectUrl(redirectTo, request.state) };
      return { kind: 'signed_out', clientName: client.name };
    } catch (err) {
      if (err instanceof LogoutRefusedError) return { kind: 'refused', refusal: err.refusal };
      throw err;
    }
  }

  private async client(customerId: string, clientId: string): Promise<RegisteredClient> {
    const client = await this.deps.clients.find(customerId, clientId);
    if (!client) throw new LogoutRefusedError('UNKNOWN_CLIENT');
    return client;
  }

  /** §2: the hint must be an ID token we issued (expired ones too); its audience is the client. */
  private async verifyHint(customerId: string, issuer: string, request: LogoutRequest): Promise<{ sub: string; client: RegisteredClient }> {
    const payload = await this.deps.signer.verifyOwn(customerId, request.idTokenHint!, { issuer, allowExpired: true });
    if (payload === null) throw new LogoutRefusedError('INVALID_ID_TOKEN_HINT');
    const { sub, clientId } = hintClaims(payload, request.clientId);
    return { sub, client: await this.client(customerId, clientId) };
  }

  /** Ends the person's grants, audits it, and queues a notice for each client with a back-channel URI that held a live token. */
  private async signOut(customer: CustomerConfig, issuer: string, sub: string): Promise<void> {
    const subjectHash = this.deps.keys.lookupHash(await this.deps.keys.customer(customer.id), 'username', sub);
    const ended = await endPersonGrants(this.deps.em, customer.id, subjectHash, this.deps.clock.now());
    const person = ended.personKeyId === null ? null : await this.deps.keys.personById(customer.id, ended.personKeyId);
    const notified: string[] = [];
    if (person !== null) {
      for (const clientId of ended.clientIds) {
        const client = await this.deps.clients.find(customer.id, clientId);
        if (!client?.backchannelLogoutUri) continue;
        this.deps.notify(BackchannelLogout.notice({ customerId: customer.id, issuer, clientId, person, subject: sub }));
        notified.push(clientId);
      }
    }
    await this.deps.audit.record({
      customerId: customer.id,
      action: 'logout.completed',
      target: { type: 'oidc_logout', id: randomUUID() },
      username: sub,
      details: {
        accessTokens: ended.accessTokenIds.length,
        refreshTokens: ended.refreshTokenIds.length,
        clients: ended.clientIds,
        clientsNotified: notified,
      },
    });
  }
}
