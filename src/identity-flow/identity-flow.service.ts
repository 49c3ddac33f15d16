import { createHash, randomUUID } from 'node:crypto';
import { AuthRequestInput, isPersonalDataForbidden, isSregField, requestedFields, SREG_FIELDS, SregField, SregValues, usernameFromClaimedId } from '../openid';
import type { LoginDecision, LoginStep, OpenIdProviderService, VerifiedReturnTo } from '../openid-provider';
import { CustomerConfig, customerUrls, PromptPolicy } from '../customers';
import { disclosureOf } from '../profiles';
import type { PendingLoginCode } from '../oauth';
import type { SqlPool } from '../db/sql-pool';
import { currentActor } from '../audit/actor';
import { Clock } from '../shared/clock';
import { createKeyedHash, KeyedHash } from '../shared/keyed-hash';
import { RandomSource, randomToken } from '../shared/random';
import { Logger } from '../shared/logger';
import { bindingCookieValue, cookieRequestId, csrfToken, isBindingCookieValid, isCsrfTokenValid, TXN_COOKIE } from './binding';
import { buildVerifyUrl } from './verify-url';
import { PostbackContent, PostbackError, postbackDigest, readContent, readCredentials, readKnownFields } from './postback.parse';
import { hashApiKey } from '../customers';
import * as steps from './login-steps.repository';
import { FlowPage, flowError } from './flow-page';

export interface IdentityFlowSettings {
  publicUrl: string;
  secretKey: string;
  authRequestTtlSeconds: number;
}

export interface IdentityFlowDeps {
  /** The hot path's pool: each step is one call of its SQL function (login-steps.repository.ts). */
  pool: SqlPool;
  clock: Clock;
  random: RandomSource;
  /** Customers by slug, cached in the process. */
  customers: { bySlug(slug: string): Promise<CustomerConfig | null>; invalidate(slug: string): void };
  /** Chooses the one-time login code a positive assertion carries for the customer's OAuth client. */
  loginCodes: { prepare(): PendingLoginCode };
  /** The keyed hash the audit trail names a user by (AuditService.subjectHash). */
  subjectHash: (customerId: string, username: string) => string;
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

const NO_SERVICE = 'There is no sign-in service at this address.';
const UNKNOWN = 'This sign-in request is unknown. Start again from the site you were signing in to.';
const FOREIGN = 'This sign-in was not started in this browser. Start again from the site you were signing in to.';
const EXPIRED = 'This sign-in request has expired. Start again from the site you were signing in to.';
const STALE_FORM = 'This consent form has expired or was not issued to this browser. Start again from the site you were signing in to.';
const EXPIRED_REASON = 'expired before the browser returned';

/**
 * The delegated login flow (PROTOCOL.md §3, steps 2 to 8): hands a validated checkid request to
 * the customer's AW, accepts its postback, and answers the RP when the browser returns, with a
 * consent page in between when the user is to be asked.
 *
 * Each step is one statement (issue 15): what can be decided without the database (parsing, the
 * binding cookie and CSRF MACs, the disclosure rule, the login code) is decided here first; one
 * call of the step's SQL function then checks the request's state under a row lock and writes the
 * transition, its timeline, the profile, the audit events and the login code together.
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
  async begin(customer: CustomerConfig, input: AuthRequestInput, returnTo: VerifiedReturnTo): Promise<LoginDecision> {
    // PROTOCOL.md §9.3: we cannot see the AW's session, so an immediate request needs setup.
    if (input.mode === 'checkid_immediate') return { kind: 'setup_needed' };
    const now = this.deps.clock.now();
    const requestId = randomToken(this.deps.random, 24);
    const requestIdHash = hashRequestId(requestId);
    const id = randomUUID();
    const requested = requestedFields(input);
    const usernameHint = input.isIdentifierSelect ? null : (usernameFromClaimedId(this.opBase(customer), input.identity) ?? null);
    const row = {
      id,
      requestIdHash,
      mode: input.mode,
      realm: input.realm,
      returnTo: input.returnTo,
      verification: returnTo.status,
      verificationReason: returnTo.reason,
      // Return-to verification ran before the request existed: dated when its discovery ran, and at least a millisecond before the hand-off.
      verificationAt: new Date(Math.min(returnTo.checkedAt.getTime(), now.getTime() - 1)),
      verificationLog: returnTo.reason === null ? returnTo.status : `${returnTo.status}: ${returnTo.reason}`,
      openidRequestJson: JSON.stringify({ input, usernameHint } satisfies StoredRequest),
      requestedFields: [...requested.required, ...requested.optional],
      requiredFields: [...requested.required],
      isNoPiiRequested: isPersonalDataForbidden(input),
      now,
      expiresAt: new Date(now.getTime() + this.deps.settings.authRequestTtlSeconds * 1000),
    };
    if (!(await steps.beginRequest(this.deps.pool, { customerId: customer.id, ...row }))) {
      // The cached customer is gone (offboarded, or its slug given to another customer) and the change
      // notification has not arrived yet: answered as an unknown provider, and read again next time.
      this.deps.customers.invalidate(customer.slug);
      return { kind: 'unknown_customer' };
    }
    return {
      kind: 'redirect',
      location: buildVerifyUrl({ verifyUrl: customer.verifyUrl, requestId, request: input, requested, usernameHint }),
      cookies: [
        {
          name: TXN_COOKIE,
          value: bindingCookieValue(this.deps.settings.secretKey, id, requestIdHash),
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
    const customer = await this.deps.customers.bySlug(slug);
    if (!customer) throw new PostbackError(404, 'error: unknown_request');
    const fields = readKnownFields(pairs);
    const { requestId, apiKey } = readCredentials(fields);
    const now = this.deps.clock.now();
    // Validated now, but refused only after the request's own checks (§4.3's order), by the statement's answer.
    let content: PostbackContent | null = null;
    let invalid: PostbackError | null = null;
    try {
      content = readContent(fields, now);
    } catch (err) {
      if (!(err instanceof PostbackError)) throw err;
      invalid = err;
    }
    const user = content?.kind === 'user' ? content : null;
    const isMinor = user?.isMinor ?? false;
    const attempt = (target: CustomerConfig) =>
      steps.postback(this.deps.pool, {
        customerId: target.id,
        apiKeyHash: hashApiKey(apiKey),
        requestIdHash: hashRequestId(requestId),
        digest: postbackDigest(fields, this.digestHash),
        now,
        isContentInvalid: invalid !== null,
        isCancel: content?.kind === 'cancel',
        username: user?.username ?? null,
        noPrompt: user ? (user.noPrompt ?? target.promptPolicy === PromptPolicy.NO_PROMPT) : null,
        isMinor,
        supplied: user?.supplied ?? {},
        blob: user?.blob ?? null,
        // The request keeps only what the assertion may carry (profiles/disclosure.ts): nothing of a
        // restricted person (GDPR art. 18) or a child (COPPA), and neither values nor blob under no-PII.
        keep: {
          open: disclosureOf({ isMinor }, 'assertion'),
          noPii: disclosureOf({ isMinor, isNoPiiRequested: true }, 'assertion'),
          restricted: disclosureOf({ isMinor, isRestricted: true }, 'assertion'),
        },
        record: user && disclosureOf({ isMinor }, 'record').attributes ? user.supplied : {},
        restrictedRecords: disclosureOf({ isMinor, isRestricted: true }, 'record').attributes,
        authTime: user?.authTime ?? null,
        authPolicies: user?.authPolicies ?? null,
        subjectHash: user ? this.deps.subjectHash(target.id, user.username) : null,
        actor: currentActor(),
      });
    const { outcome, authRequestId } = await attempt(customer);
    // The cached customer is gone (see `begin`): read again next time.
    if (outcome === 'unknown_customer') this.deps.customers.invalidate(slug);
    switch (outcome) {
      case 'unknown_customer':
      case 'unknown_request':
        throw new PostbackError(404, 'error: unknown_request');
      case 'invalid_api_key':
        throw new PostbackError(403, 'error: invalid_api_key');
      case 'expired':
        throw new PostbackError(410, 'error: request_expired');
      case 'already_posted':
        throw new PostbackError(409, 'error: already_posted');
      case 'invalid_content':
        throw invalid!;
      case 'repeated':
        return;
      case 'accepted':
        if (user && user.dropped.length > 0) this.deps.log.info({ authRequestId, droppedFields: user.dropped }, 'postback fields not in sreg format were dropped');
        return;
    }
  }

  /** Step 6: the browser is back from the AW. Answers the RP, or shows the consent page. */
  async returnFromAw(slug: string, requestId: string | null, cookie: string | undefined): Promise<FlowPage> {
    const customer = await this.deps.customers.bySlug(slug);
    if (!customer) return flowError(404, NO_SERVICE);
    const cookieId = cookieRequestId(cookie);
    const requestIdHash = requestId ? hashRequestId(requestId) : null;
    if (requestIdHash === null && cookieId === null) return flowError(404, UNKNOWN);
    const code = this.deps.loginCodes.prepare();
    const call: steps.ReturnCall = {
      customerId: customer.id,
      requestIdHash,
      cookieRequestId: cookieId,
      isBindingValid: requestIdHash !== null && cookieId !== null && isBindingCookieValid(this.deps.settings.secretKey, cookie, cookieId, requestIdHash),
      now: this.deps.clock.now(),
      allFields: SREG_FIELDS,
      actor: currentActor(),
      code,
    };
    let answer = await steps.returnFromAw(this.deps.pool, call);
    if (answer.step === 'check_binding') {
      // Named by the cookie alone (no request_id came back): the cookie must prove this browser started it.
      if (!isBindingCookieValid(this.deps.settings.secretKey, cookie, answer.authRequestId!, answer.requestIdHash!)) return flowError(403, FOREIGN);
      answer = await steps.returnFromAw(this.deps.pool, { ...call, requestIdHash: answer.requestIdHash, isBindingValid: true });
    }
    return this.page(customer, answer, cookie, code);
  }

  /** Step 7: the user's answer on the consent page. */
  async decideConsent(slug: string, form: ConsentForm, cookie: string | undefined): Promise<FlowPage> {
    const customer = await this.deps.customers.bySlug(slug);
    if (!customer) return flowError(404, NO_SERVICE);
    const cookieId = cookieRequestId(cookie);
    if (cookieId === null) return flowError(404, UNKNOWN);
    const secret = this.deps.settings.secretKey;
    const now = this.deps.clock.now();
    const code = this.deps.loginCodes.prepare();
    const answer = await steps.decideConsent(this.deps.pool, {
      customerId: customer.id,
      cookieRequestId: cookieId,
      isCsrfValid: form.authRequestId === cookieId && isCsrfTokenValid(secret, form.csrf, cookieId, cookie!),
      decision: form.decision === 'allow' ? 'ALLOW' : form.decision === 'deny' ? 'DENY' : null,
      // Only sreg field names can be granted; anything else a form carries (any text at all) goes no further.
      share: form.share.filter(isSregField),
      remember: form.remember,
      now,
      actor: currentActor(),
      code,
    });
    if (answer.step === 'refused') {
      // Nothing was written. Which refusal, in the order every browser step checks: binding, expiry, then the form's token.
      if (!isBindingCookieValid(secret, cookie, answer.authRequestId!, answer.requestIdHash!)) return flowError(403, FOREIGN);
      if (answer.status === 'EXPIRED') return flowError(410, EXPIRED);
      if (now >= answer.expiresAt! && answer.status !== 'COMPLETED') {
        await steps.expireRequest(this.deps.pool, customer.id, answer.authRequestId!, now, EXPIRED_REASON);
        return flowError(410, EXPIRED);
      }
      return flowError(403, STALE_FORM);
    }
    return this.page(customer, answer, cookie, code);
  }

  /** What the browser sees after a step: an error page, the consent page, or the answer to the RP. */
  private async page(customer: CustomerConfig, answer: steps.StepAnswer, cookie: string | undefined, code: PendingLoginCode): Promise<FlowPage> {
    switch (answer.step) {
      case 'unknown':
      case 'check_binding':
        return flowError(404, UNKNOWN);
      case 'foreign':
      case 'refused':
        return flowError(403, FOREIGN);
      case 'expired':
        return flowError(410, EXPIRED);
      case 'finished':
        return flowError(409, 'This sign-in has already been completed. Start again from the site you were signing in to.');
      case 'answered':
        return flowError(409, 'This consent has already been answered.');
      case 'invalid_decision':
        return flowError(400, 'Choose Allow or Deny.');
      case 'consent':
        return this.consentPage(customer, answer, cookie!);
      case 'answer': {
        const stored = answer.openidRequest as StoredRequest;
        const provider = this.deps.provider();
        if (answer.outcome !== 'id_res') return { kind: 'indirect', response: provider.cancel(stored.input) };
        const response = await provider.assert(customer, stored.input, {
          username: answer.username!,
          supplied: answer.supplied as SregValues,
          granted: answer.granted as SregField[],
          ...(answer.blob ? { blob: answer.blob } : {}),
          ...(answer.isCodeIssued ? { loginCode: code.code } : {}),
          ...(answer.authTime ? { authTime: answer.authTime } : {}),
          ...(answer.authPolicies ? { authPolicies: answer.authPolicies } : {}),
        });
        return { kind: 'indirect', response };
      }
    }
  }

  /** Step 7's page. A restricted user (restricted after the postback, too) is offered no attributes. */
  private consentPage(customer: CustomerConfig, answer: steps.StepAnswer, cookie: string): FlowPage {
    const stored = answer.openidRequest as StoredRequest;
    const supplied = (answer.supplied ?? {}) as SregValues;
    const requiredFields = answer.requiredFields ?? [];
    return {
      kind: 'consent',
      view: {
        customerName: customer.name,
        realm: answer.realm!,
        identity: stored.input.isIdentifierSelect ? `${this.opBase(customer)}/id/${encodeURIComponent(answer.username!)}` : stored.input.claimedId,
        action: `/c/${customer.slug}/ows_consent`,
        authRequestId: answer.authRequestId!,
        csrf: csrfToken(this.deps.settings.secretKey, answer.authRequestId!, cookie),
        attributes: answer.isMinor
          ? []
          : (answer.requestedFields ?? [])
              .filter((field) => supplied[field as SregField] !== undefined)
              .map((field) => ({ field, value: supplied[field as SregField]!, isRequired: requiredFields.includes(field) })),
        policyUrl: stored.input.sreg?.policyUrl ?? null,
      },
    };
  }

  private opBase(customer: CustomerConfig): string {
    return customerUrls(this.deps.settings.publicUrl, customer.slug).openidIdentifier.replace(/\/$/, '');
  }
}

/** request_ids are bearer secrets: only their hash is stored and looked up. */
export function hashRequestId(requestId: string): string {
  return createHash('sha256').update(requestId, 'utf8').digest('hex');
}
