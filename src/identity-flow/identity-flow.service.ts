import { createHash } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { AuthRequestInput, isPersonalDataForbidden, requestedFields, SREG_FIELDS, SregField, SregValues, usernameFromClaimedId } from '../openid';
import type { LoginDecision, LoginStep, OpenIdProviderService, VerifiedReturnTo } from '../openid-provider';
import { Customer, CustomerService, customerUrls, PromptPolicy } from '../customers';
import { ConsentService } from '../consent';
import { disclosureOf, ProfileService } from '../profiles';
import { OAuthLoginCodeService } from '../oauth';
import { Clock } from '../shared/clock';
import { createKeyedHash, KeyedHash } from '../shared/keyed-hash';
import { RandomSource, randomToken } from '../shared/random';
import { Logger } from '../shared/logger';
import { AuditService } from '../audit';
import { AuthRequest } from './auth-request.entity';
import { AuthRequestStatus } from './auth-request.state';
import { applyTransition, forgetAttributesOf, JOIN, recordCreation, recordReturnToVerification } from './auth-request.repository';
import { bindingCookieValue, cookieRequestId, csrfToken, isBindingCookieValid, isCsrfTokenValid, TXN_COOKIE } from './binding';
import { buildVerifyUrl } from './verify-url';
import { PostbackError, postbackDigest, readContent, readCredentials, readKnownFields } from './postback.parse';
import { completeRequest, FlowPage, flowError } from './complete';

export interface IdentityFlowSettings {
  publicUrl: string;
  secretKey: string;
  authRequestTtlSeconds: number;
}

export interface IdentityFlowDeps {
  em: EntityManager;
  clock: Clock;
  random: RandomSource;
  customers: CustomerService;
  consent: ConsentService;
  profiles: ProfileService;
  /** Issues the one-time login code the positive assertion carries for the customer's OAuth client. */
  loginCodes: OAuthLoginCodeService;
  /** Records each login's outcome (in the audit trail, and so as a webhook event). */
  audit: AuditService;
  /** The OP, which signs the final answer; a getter because the OP also calls this flow. */
  provider: () => OpenIdProviderService;
  settings: IdentityFlowSettings;
  log: Logger;
}

/** The stored form of a validated checkid request, enough to answer the RP later. */
interface StoredRequest {
  input: AuthRequestInput;
  /** The user the RP asked about, when it named one. */
  usernameHint: string | null;
}

export interface ConsentForm {
  /** The auth request id the page was rendered for; must be the one the binding cookie names. */
  authRequestId: string;
  csrf: string | undefined;
  decision: string | undefined;
  share: string[];
  remember: boolean;
}

/**
 * The delegated login flow (PROTOCOL.md §3, steps 2 to 8): hands a validated checkid request to
 * the customer's AW, accepts its postback, and answers the RP when the browser returns, with a
 * consent page in between when the user is to be asked.
 */
export class IdentityFlowService implements LoginStep {
  private readonly digestHash: KeyedHash;

  constructor(private readonly deps: IdentityFlowDeps) {
    this.digestHash = createKeyedHash(deps.settings.secretKey, 'postback-digest');
  }

  /**
   * Step 2: stores the request, with how its return_to fared in RP discovery, and sends the
   * browser to the customer's Verify URL.
   */
  async begin(customer: Customer, input: AuthRequestInput, returnTo: VerifiedReturnTo): Promise<LoginDecision> {
    // PROTOCOL.md §9.3: we cannot see the AW's session, so an immediate request needs setup.
    if (input.mode === 'checkid_immediate') return { kind: 'setup_needed' };
    const now = this.deps.clock.now();
    const requestId = randomToken(this.deps.random, 24);
    const requestIdHash = hashRequestId(requestId);
    const requested = requestedFields(input);
    const opBase = customerUrls(this.deps.settings.publicUrl, customer.slug).openidIdentifier.replace(/\/$/, '');
    const usernameHint = input.isIdentifierSelect ? null : (usernameFromClaimedId(opBase, input.identity) ?? null);
    const request = await this.deps.em.transactional(async (em) => {
      const created = em.create(AuthRequest, {
        customer,
        requestIdHash,
        status: AuthRequestStatus.AWAITING_AW,
        mode: input.mode,
        realm: input.realm,
        returnTo: input.returnTo,
        returnToVerification: returnTo.status,
        returnToVerificationReason: returnTo.reason,
        openidRequest: { input, usernameHint } satisfies StoredRequest as unknown as Record<string, unknown>,
        requestedFields: [...requested.required, ...requested.optional],
        requiredFields: [...requested.required],
        isMinor: false,
        supplied: null,
        releasedFields: [],
        createdAt: now,
        updatedAt: now,
        expiresAt: new Date(now.getTime() + this.deps.settings.authRequestTtlSeconds * 1000),
      });
      recordReturnToVerification(em, created, returnTo, now);
      recordCreation(em, created, now);
      return created;
    }, JOIN);
    return {
      kind: 'redirect',
      location: buildVerifyUrl({ verifyUrl: customer.verifyUrl, requestId, request: input, requested, usernameHint }),
      cookies: [
        {
          name: TXN_COOKIE,
          value: bindingCookieValue(this.deps.settings.secretKey, request.id, requestIdHash),
          path: `/c/${customer.slug}/`,
          maxAgeSeconds: this.deps.settings.authRequestTtlSeconds,
        },
      ],
    };
  }

  /**
   * Steps 4-5, the AW's postback, in the order of PROTOCOL.md §4.3: customer, API key (before
   * anything about the request is revealed), request, state and expiry, fields, then one
   * compare-and-set that stores the result together with the user's profile.
   */
  async postback(slug: string, pairs: ReadonlyArray<readonly [string, string]>): Promise<void> {
    const customer = await this.deps.customers.findBySlug(slug);
    if (!customer) throw new PostbackError(404, 'error: unknown_request');
    const fields = readKnownFields(pairs);
    const { requestId, apiKey } = readCredentials(fields);
    if (!(await this.deps.customers.verifyApiKey(customer.id, apiKey))) throw new PostbackError(403, 'error: invalid_api_key');
    const request = await this.findRequest(customer, hashRequestId(requestId));
    if (!request) throw new PostbackError(404, 'error: unknown_request');
    const digest = postbackDigest(fields, this.digestHash);
    const now = this.deps.clock.now();
    if (request.status !== AuthRequestStatus.AWAITING_AW) {
      // A retried postback with the same content: the AW did not see our 200; say it again.
      if (request.postbackDigest === digest) return;
      if (request.status === AuthRequestStatus.EXPIRED) throw new PostbackError(410, 'error: request_expired');
      throw new PostbackError(409, 'error: already_posted');
    }
    if (now >= request.expiresAt) {
      await applyTransition(this.deps.em, request.id, 'EXPIRE', now, { failure_reason: 'expired before the postback' });
      throw new PostbackError(410, 'error: request_expired');
    }
    const content = readContent(fields, now);
    const won = await this.deps.em.transactional(async (em) => {
      if (content.kind === 'cancel') {
        return applyTransition(em, request.id, 'POSTBACK_CANCEL', now, { postback_digest: digest }, 'the AW reported a cancel');
      }
      const noPrompt = content.noPrompt ?? customer.promptPolicy === PromptPolicy.NO_PROMPT;
      // The request keeps only what the assertion may carry (profiles/disclosure.ts): nothing of a
      // restricted person (GDPR art. 18) or a child (COPPA), and neither values nor blob under no-PII.
      const isRestricted = await this.deps.profiles.isRestricted(em, customer.id, content.username);
      const stored = (request.openidRequest as unknown as StoredRequest).input;
      const keep = disclosureOf({ isRestricted, isMinor: content.isMinor, isNoPiiRequested: isPersonalDataForbidden(stored) }, 'assertion');
      const moved = await applyTransition(em, request.id, 'POSTBACK_USER', now, {
        username: content.username,
        no_prompt: noPrompt,
        is_minor: content.isMinor,
        supplied: JSON.stringify(keep.attributes ? content.supplied : {}),
        blob: keep.blob ? content.blob : null,
        auth_time: content.authTime,
        auth_policies: content.authPolicies,
        postback_digest: digest,
      });
      if (moved) {
        await this.deps.profiles.recordFromPostback(em, customer.id, content.username, content.supplied, now, { isMinor: content.isMinor });
        // COPPA: from the moment we learn the user is a child, no earlier request keeps their values either.
        if (content.isMinor) await forgetAttributesOf(em, customer.id, content.username);
      }
      return moved;
    }, JOIN);
    if (content.kind === 'user' && content.dropped.length > 0) {
      this.deps.log.info({ authRequestId: request.id, droppedFields: content.dropped }, 'postback fields not in sreg format were dropped');
    }
    if (!won) {
      // Another postback for this request landed between our check and our write.
      const current = await this.findRequest(customer, request.requestIdHash);
      if (current?.postbackDigest !== digest) throw new PostbackError(409, 'error: already_posted');
    }
  }

  /** Step 6: the browser is back from the AW. Answers the RP, or shows the consent page. */
  async returnFromAw(slug: string, requestId: string | null, cookie: string | undefined): Promise<FlowPage> {
    const found = await this.loadBound(slug, requestId, cookie);
    if ('error' in found) return found.error;
    const { customer, request } = found;
    const now = this.deps.clock.now();
    switch (request.status) {
      case AuthRequestStatus.AWAITING_AW:
        return this.finish(customer, request, { outcome: 'cancel', reason: 'the browser returned before any postback' });
      case AuthRequestStatus.CANCELLED:
        return this.finish(customer, request, { outcome: 'cancel', reason: 'the AW reported a cancel' });
      case AuthRequestStatus.AUTHENTICATED: {
        if (request.noPrompt) return this.finish(customer, request, { outcome: 'id_res', granted: [...SREG_FIELDS] });
        const remembered = await this.deps.consent.findRemembered(customer.id, request.username!, request.realm);
        if (remembered) return this.finish(customer, request, { outcome: 'id_res', granted: remembered.grantedFields as SregField[] });
        if (!(await applyTransition(this.deps.em, request.id, 'SHOW_CONSENT', now))) return flowError(409, 'This sign-in has already moved on.');
        return await this.consentPage(customer, request, cookie!);
      }
      case AuthRequestStatus.CONSENT_PENDING:
        return await this.consentPage(customer, request, cookie!);
      default:
        return flowError(409, 'This sign-in has already been completed. Start again from the site you were signing in to.');
    }
  }

  /** Step 7: the user's answer on the consent page. */
  async decideConsent(slug: string, form: ConsentForm, cookie: string | undefined): Promise<FlowPage> {
    const found = await this.loadBound(slug, null, cookie);
    if ('error' in found) return found.error;
    const { customer, request } = found;
    if (form.authRequestId !== request.id || !isCsrfTokenValid(this.deps.settings.secretKey, form.csrf, request.id, cookie!)) {
      return flowError(403, 'This consent form has expired or was not issued to this browser. Start again from the site you were signing in to.');
    }
    if (request.status !== AuthRequestStatus.CONSENT_PENDING) return flowError(409, 'This consent has already been answered.');
    if (form.decision !== 'allow' && form.decision !== 'deny') return flowError(400, 'Choose Allow or Deny.');
    const granted = form.decision === 'allow' ? request.requestedFields.filter((f) => form.share.includes(f)) : [];
    return this.finish(customer, request, {
      outcome: form.decision === 'allow' ? 'id_res' : 'cancel',
      granted: granted as SregField[],
      reason: form.decision === 'allow' ? null : 'the user declined on the consent page',
      consent: { decision: form.decision === 'allow' ? 'ALLOW' : 'DENY', isRemembered: form.decision === 'allow' && form.remember },
    });
  }

  private finish(customer: Customer, request: AuthRequest, how: Parameters<typeof completeRequest>[3]): Promise<FlowPage> {
    return completeRequest(this.deps, customer, request, how, (request.openidRequest as unknown as StoredRequest).input, (request.openidRequest as unknown as StoredRequest).usernameHint);
  }

  /**
   * The request named by request_id (or, without one, by the binding cookie), only when it belongs
   * to this customer, the binding cookie proves this browser started it, and it has not expired.
   */
  private async loadBound(slug: string, requestId: string | null, cookie: string | undefined): Promise<{ customer: Customer; request: AuthRequest } | { error: FlowPage }> {
    const customer = await this.deps.customers.findBySlug(slug);
    if (!customer) return { error: flowError(404, 'There is no sign-in service at this address.') };
    let request: AuthRequest | null = null;
    if (requestId) request = await this.findRequest(customer, hashRequestId(requestId));
    else {
      const id = cookieRequestId(cookie);
      if (id) request = await this.deps.em.findOne(AuthRequest, { id, customer: customer.id }, { populate: ['customer'] });
    }
    if (!request) return { error: flowError(404, 'This sign-in request is unknown. Start again from the site you were signing in to.') };
    if (!isBindingCookieValid(this.deps.settings.secretKey, cookie, request.id, request.requestIdHash)) {
      return { error: flowError(403, 'This sign-in was not started in this browser. Start again from the site you were signing in to.') };
    }
    const now = this.deps.clock.now();
    if (request.status === AuthRequestStatus.EXPIRED) return { error: flowError(410, 'This sign-in request has expired. Start again from the site you were signing in to.') };
    if (now >= request.expiresAt && request.status !== AuthRequestStatus.COMPLETED) {
      await applyTransition(this.deps.em, request.id, 'EXPIRE', now, { failure_reason: 'expired before the browser returned' });
      return { error: flowError(410, 'This sign-in request has expired. Start again from the site you were signing in to.') };
    }
    return { customer, request };
  }

  /** Step 7's page. A restricted user (restricted after the postback, too) is offered no attributes. */
  private async consentPage(customer: Customer, request: AuthRequest, cookie: string): Promise<FlowPage> {
    const opBase = customerUrls(this.deps.settings.publicUrl, customer.slug).openidIdentifier.replace(/\/$/, '');
    const stored = request.openidRequest as unknown as StoredRequest;
    const isRestricted = await this.deps.profiles.isRestricted(this.deps.em, customer.id, request.username!);
    const supplied = (isRestricted ? {} : (request.supplied ?? {})) as SregValues;
    return {
      kind: 'consent',
      view: {
        customerName: customer.name,
        realm: request.realm,
        identity: stored.input.isIdentifierSelect ? `${opBase}/id/${encodeURIComponent(request.username!)}` : stored.input.claimedId,
        action: `/c/${customer.slug}/ows_consent`,
        authRequestId: request.id,
        csrf: csrfToken(this.deps.settings.secretKey, request.id, cookie),
        attributes: request.isMinor
          ? []
          : request.requestedFields
              .filter((field) => supplied[field as SregField] !== undefined)
              .map((field) => ({ field, value: supplied[field as SregField]!, isRequired: request.requiredFields.includes(field) })),
        policyUrl: stored.input.sreg?.policyUrl ?? null,
      },
    };
  }

  private findRequest(customer: Customer, requestIdHash: string): Promise<AuthRequest | null> {
    return this.deps.em.findOne(AuthRequest, { requestIdHash, customer: customer.id }, { populate: ['customer'] });
  }
}

/** request_ids are bearer secrets: only their hash is stored and looked up. */
export function hashRequestId(requestId: string): string {
  return createHash('sha256').update(requestId, 'utf8').digest('hex');
}

