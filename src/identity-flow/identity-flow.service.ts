import { randomUUID } from 'node:crypto';
import { AuthRequestInput, isPersonalDataForbidden, isSregField, requestedFields, SREG_FIELDS, usernameFromClaimedId } from '../openid';
import type { LoginDecision, LoginStep, VerifiedReturnTo } from '../openid-provider';
import type { OidcLoginDecision, OidcLoginStep } from '../oidc-provider/login-step';
import type { AuthorizationRequest } from '../oidc/authorization-request';
import { fieldsForScopes } from '../oidc/claims';
import { CustomerConfig } from '../customers';
import type { PendingLoginCode } from '../oauth';
import type { SqlPool } from '../db/sql-pool';
import { currentActor } from '../audit/actor';
import { Clock } from '../shared/clock';
import { RandomSource, randomToken } from '../shared/random';
import { Logger } from '../shared/logger';
import { SecretKeyRing } from '../shared/secret-key-ring';
import { bindingCookieValue, cookieRequestId, hashRequestId, isBindingCookieValid, isCsrfTokenValid, TXN_COOKIE } from './binding';
import { buildVerifyUrl } from './verify-url';
import * as steps from './login-steps.repository';
import { FlowResult, refused } from './flow-result';
import { opBase, stepResult, StepContext } from './step-results';
import { PostbackResult, PostbackStep } from './postback.step';
import type { KeyRing } from '../keys';
import { openAnswer, storedRequest } from './sealed-values';

export interface IdentityFlowSettings {
  publicUrl: string;
  /** Cookies and CSRF tokens are made under the newest version and accepted under any. */
  secretKeys: SecretKeyRing;
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
  /** The data keys the person's values are sealed under (issue 17). */
  keys: KeyRing;
  settings: IdentityFlowSettings;
  log: Logger;
}


export interface ConsentForm {
  /** The auth request id the page was rendered for; must be the one the binding cookie names. */
  authRequestId: string;
  csrf: string | undefined;
  decision: string | undefined;
  share: string[];
  remember: boolean;
}

const EXPIRED_REASON = 'expired before the browser returned';

/** The `mode` of an OpenID Connect request's row (OpenID 2.0 rows carry their checkid mode). */
export const OIDC_MODE = 'oidc';

/**
 * The `mode` of a privacy center sign-in's row (issue 22): the person signs in through the customer's
 * AW to see their own data at `/c/{slug}/account`. Such a request never produces an assertion, a
 * consent page, a login code or an OIDC code: its return only names the profile (ids_flow_return).
 */
export const ACCOUNT_MODE = 'account';


/**
 * The delegated login flow (docs/protocol.md#flow, steps 2 to 8): hands a validated checkid request to
 * the customer's AW, accepts its postback, and answers the RP when the browser returns, with a
 * consent page in between when the user is to be asked.
 *
 * Each step is one statement (issue 15): what can be decided without the database (parsing, the
 * binding cookie and CSRF MACs, the disclosure rule, the login code) is decided here first; one
 * call of the step's SQL function then checks the request's state under a row lock and writes the
 * transition, its timeline, the profile, the audit events and the login code together.
 *
 * The browser steps return a FlowResult and never call the OP: the route asks the OP to sign an
 * `assert` or build a `cancel`. Only the OP calls in here, through the LoginStep interface it owns.
 */
export class IdentityFlowService implements LoginStep, OidcLoginStep {
  private readonly postbackStep: PostbackStep;

  constructor(private readonly deps: IdentityFlowDeps) {
    this.postbackStep = new PostbackStep({ ...deps, secretKeys: deps.settings.secretKeys });
  }

  /**
   * Step 2: stores the request, with how its return_to fared in RP discovery, and sends the
   * browser to the customer's Verify URL.
   */
  async begin(customer: CustomerConfig, input: AuthRequestInput, returnTo: VerifiedReturnTo): Promise<LoginDecision> {
    // docs/protocol.md#decision-immediate: we cannot see the AW's session, so an immediate request needs setup.
    if (input.mode === 'checkid_immediate') return { kind: 'setup_needed' };
    const now = this.deps.clock.now();
    const requestId = randomToken(this.deps.random, 24);
    const requestIdHash = hashRequestId(requestId);
    const requested = requestedFields(input);
    const usernameHint = input.isIdentifierSelect ? null : (usernameFromClaimedId(this.opBase(customer), input.identity) ?? null);
    return this.handOff(customer, requestId, now, {
      requestIdHash,
      mode: input.mode,
      realm: input.realm,
      returnTo: input.returnTo,
      verification: returnTo.status,
      verificationReason: returnTo.reason,
      // Return-to verification ran before the request existed: dated when its discovery ran, and at least a millisecond before the hand-off.
      verificationAt: new Date(Math.min(returnTo.checkedAt.getTime(), now.getTime() - 1)),
      verificationLog: returnTo.reason === null ? returnTo.status : `${returnTo.status}: ${returnTo.reason}`,
      openidRequestJson: JSON.stringify(
        storedRequest(this.deps.keys, input, usernameHint === null ? null : { username: usernameHint, customer: await this.deps.keys.customer(customer.id) }, requestIdHash),
      ),
      requestedFields: [...requested.required, ...requested.optional],
      requiredFields: [...requested.required],
      isNoPiiRequested: isPersonalDataForbidden(input),
    }, buildVerifyUrl({ verifyUrl: customer.verifyUrl, requestId, request: input, requested, usernameHint }));
  }

  /**
   * Step 2 for an OpenID Connect authorization request (issue 19): the same request row, timeline and
   * hand-off, with the scopes' fields asked as optional attributes. The realm the AW, the consent page
   * and remembered decisions see is the redirect URI's origin, as an OpenID 2.0 realm names a site.
   */
  async beginOidc(customer: CustomerConfig, request: AuthorizationRequest): Promise<OidcLoginDecision> {
    const now = this.deps.clock.now();
    const requestId = randomToken(this.deps.random, 24);
    const { stored } = request;
    const fields = fieldsForScopes(stored.scopes);
    const realm = `${new URL(stored.redirectUri).origin}/`;
    // prompt=login asks for a fresh login: as PAPE's max_auth_age=0 asks the AW (docs/protocol.md#pape); max_age is that bound itself.
    const maxAuthAge = stored.prompt.includes('login') ? 0 : (stored.maxAge ?? undefined);
    const verifyUrl = buildVerifyUrl({
      verifyUrl: customer.verifyUrl,
      requestId,
      request: { realm, ...(maxAuthAge !== undefined ? { pape: { maxAuthAgeSeconds: maxAuthAge } } : {}) },
      requested: { required: [], optional: fields },
      usernameHint: request.loginHint,
      extra: { client_name: stored.clientName, ...(stored.uiLocales ? { ui_locales: stored.uiLocales } : {}) },
    });
    const decision = await this.handOff(customer, requestId, now, {
      requestIdHash: hashRequestId(requestId),
      mode: OIDC_MODE,
      realm,
      returnTo: stored.redirectUri,
      verification: 'VERIFIED',
      verificationReason: null,
      verificationAt: new Date(now.getTime() - 1),
      verificationLog: `VERIFIED: a redirect URI registered for client ${stored.clientId}`,
      openidRequestJson: JSON.stringify({ oidc: stored, usernameHintHash: null }),
      requestedFields: fields,
      requiredFields: [],
      isNoPiiRequested: false,
    }, verifyUrl);
    return decision.kind === 'redirect' ? { kind: 'redirect', location: decision.location, cookies: decision.cookies ?? [] } : { kind: 'unknown_customer' };
  }

  /**
   * Step 2 of a privacy center sign-in (issue 22): the same request row, timeline, hand-off and
   * binding cookie as any sign-in, marked `mode = 'account'`, asking for no attributes (the AW posts
   * what it posts; the postback records the profile as for any sign-in), with its realm and return_to
   * the center's own address. The Verify URL says why (`purpose=account`), so the AW can tell the person.
   */
  async beginAccount(customer: CustomerConfig): Promise<LoginDecision> {
    const now = this.deps.clock.now();
    const requestId = randomToken(this.deps.random, 24);
    const accountUrl = `${this.deps.settings.publicUrl}/c/${customer.slug}/account`;
    return this.handOff(customer, requestId, now, {
      requestIdHash: hashRequestId(requestId),
      mode: ACCOUNT_MODE,
      realm: accountUrl,
      returnTo: accountUrl,
      verification: 'VERIFIED',
      verificationReason: null,
      verificationAt: new Date(now.getTime() - 1),
      verificationLog: 'VERIFIED: the privacy center of this service',
      openidRequestJson: JSON.stringify({ account: true }),
      requestedFields: [],
      requiredFields: [],
      isNoPiiRequested: false,
    }, buildVerifyUrl({
      verifyUrl: customer.verifyUrl,
      requestId,
      request: { realm: accountUrl },
      requested: { required: [], optional: [] },
      usernameHint: null,
      extra: { purpose: ACCOUNT_MODE },
    }));
  }

  /** Stores a new request (one statement) and sends the browser to the AW's Verify URL with the binding cookie. */
  private async handOff(customer: CustomerConfig, requestId: string, now: Date, row: Omit<steps.BeginRow, 'customerId' | 'id' | 'now' | 'expiresAt'>, location: string): Promise<LoginDecision> {
    const id = randomUUID();
    const expiresAt = new Date(now.getTime() + this.deps.settings.authRequestTtlSeconds * 1000);
    if (!(await steps.beginRequest(this.deps.pool, { customerId: customer.id, id, now, expiresAt, ...row }))) {
      // The cached customer is gone (offboarded, or its slug given to another customer) and the change
      // notification has not arrived yet: answered as an unknown provider, and read again next time.
      this.deps.customers.invalidate(customer.slug);
      return { kind: 'unknown_customer' };
    }
    return {
      kind: 'redirect',
      location,
      cookies: [
        {
          name: TXN_COOKIE,
          value: bindingCookieValue(this.deps.settings.secretKeys, id, row.requestIdHash),
          path: `/c/${customer.slug}/`,
          maxAgeSeconds: this.deps.settings.authRequestTtlSeconds,
        },
      ],
    };
  }

  /** Steps 4-5, the AW's postback (docs/protocol.md#postback); a refusal throws PostbackRefusedError with its code. */
  postback(slug: string, pairs: ReadonlyArray<readonly [string, string]>): Promise<PostbackResult> {
    return this.postbackStep.run(slug, pairs);
  }

  /** Step 6: the browser is back from the AW. Answers the RP, or shows the consent page. */
  async returnFromAw(slug: string, requestId: string | null, cookie: string | undefined): Promise<FlowResult> {
    const customer = await this.deps.customers.bySlug(slug);
    if (!customer) return refused('NO_SERVICE');
    const cookieId = cookieRequestId(cookie);
    const requestIdHash = requestId ? hashRequestId(requestId) : null;
    if (requestIdHash === null && cookieId === null) return refused('UNKNOWN_REQUEST');
    const code = this.deps.loginCodes.prepare();
    const call: steps.ReturnCall = {
      customerId: customer.id,
      requestIdHash,
      cookieRequestId: cookieId,
      isBindingValid: requestIdHash !== null && cookieId !== null && isBindingCookieValid(this.deps.settings.secretKeys, cookie, cookieId, requestIdHash),
      now: this.deps.clock.now(),
      allFields: SREG_FIELDS,
      actor: currentActor(),
      code,
    };
    let answer = await steps.returnFromAw(this.deps.pool, call);
    if (answer.step === 'check_binding') {
      // Named by the cookie alone (no request_id came back): the cookie must prove this browser started it.
      if (!isBindingCookieValid(this.deps.settings.secretKeys, cookie, answer.authRequestId!, answer.requestIdHash!)) return refused('FOREIGN_BROWSER');
      answer = await steps.returnFromAw(this.deps.pool, { ...call, requestIdHash: answer.requestIdHash, isBindingValid: true });
    }
    return stepResult(this.stepContext(), customer, await openAnswer(this.deps.keys, customer.id, answer), cookie, code);
  }

  /** Step 7: the user's answer on the consent page. */
  async decideConsent(slug: string, form: ConsentForm, cookie: string | undefined): Promise<FlowResult> {
    const customer = await this.deps.customers.bySlug(slug);
    if (!customer) return refused('NO_SERVICE');
    const cookieId = cookieRequestId(cookie);
    if (cookieId === null) return refused('UNKNOWN_REQUEST');
    const keys = this.deps.settings.secretKeys;
    const now = this.deps.clock.now();
    const code = this.deps.loginCodes.prepare();
    const answer = await steps.decideConsent(this.deps.pool, {
      customerId: customer.id,
      cookieRequestId: cookieId,
      isCsrfValid: form.authRequestId === cookieId && isCsrfTokenValid(keys, form.csrf, cookieId, cookie!),
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
      if (!isBindingCookieValid(keys, cookie, answer.authRequestId!, answer.requestIdHash!)) return refused('FOREIGN_BROWSER');
      if (answer.status === 'EXPIRED') return refused('REQUEST_EXPIRED');
      if (now >= answer.expiresAt! && answer.status !== 'COMPLETED') {
        await steps.expireRequest(this.deps.pool, customer.id, answer.authRequestId!, now, EXPIRED_REASON);
        return refused('REQUEST_EXPIRED');
      }
      return refused('STALE_FORM');
    }
    return stepResult(this.stepContext(), customer, await openAnswer(this.deps.keys, customer.id, answer), cookie, code);
  }

  private opBase(customer: CustomerConfig): string {
    return opBase(this.deps.settings.publicUrl, customer);
  }

  private stepContext(): StepContext {
    return { publicUrl: this.deps.settings.publicUrl, secretKeys: this.deps.settings.secretKeys, clock: this.deps.clock };
  }
}
