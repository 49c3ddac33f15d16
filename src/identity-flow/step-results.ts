import type { SregField, SregValues } from '../openid';
import { CustomerConfig, customerUrls } from '../customers';
import type { PendingLoginCode } from '../oauth';
import type { StoredAuthorization } from '../oidc/stored-authorization';
import { Clock } from '../shared/clock';
import { SecretKeyRing } from '../shared/secret-key-ring';
import { csrfToken } from './binding';
import { FlowResult, OidcAnswer, refused } from './flow-result';
import type { StepAnswer } from './login-steps.repository';
import type { StoredRequest } from './sealed-values';

/**
 * What a browser step's answer means for the browser (identity-flow.service.ts runs the steps): a
 * refusal, the consent page, the answer for the OP to sign, or an OpenID Connect client's code.
 */
export interface StepContext {
  publicUrl: string;
  secretKeys: SecretKeyRing;
  clock: Clock;
}

/** Clock difference allowed between the AW's reported auth_time and ours when checking max_age. */
const MAX_AGE_SKEW_SECONDS = 60;

/** What comes after a step: a refusal, the consent page, or the answer to the RP for the route to have signed. */
export function stepResult(ctx: StepContext, customer: CustomerConfig, answer: StepAnswer, cookie: string | undefined, code: PendingLoginCode): FlowResult {
  switch (answer.step) {
    case 'unknown':
    case 'check_binding':
      return refused('UNKNOWN_REQUEST');
    case 'foreign':
    case 'refused':
      return refused('FOREIGN_BROWSER');
    case 'expired':
      return refused('REQUEST_EXPIRED');
    case 'finished':
      return refused('ALREADY_COMPLETED');
    case 'answered':
      return refused('ALREADY_ANSWERED');
    case 'invalid_decision':
      return refused('INVALID_DECISION');
    case 'consent':
      // An account sign-in never reaches the consent page (ids_flow_return completes it first); should one, it is refused.
      if (isAccountRequest(answer)) return refused('UNKNOWN_REQUEST');
      return consentPage(ctx, customer, answer, cookie!);
    case 'answer': {
      if (isAccountRequest(answer)) return accountResult(customer, answer);
      const oidc = (answer.openidRequest as { oidc?: StoredAuthorization }).oidc;
      if (oidc) return { kind: 'oidc', customer, request: oidc, answer: oidcAnswer(ctx, oidc, answer, code) };
      const stored = answer.openidRequest as StoredRequest;
      // No username: the person was erased during the sign-in (their key is gone), and nothing of them can be asserted.
      if (answer.outcome !== 'id_res' || answer.username === null) return { kind: 'cancel', request: stored.input };
      return {
        kind: 'assert',
        customer,
        request: stored.input,
        outcome: {
          username: answer.username!,
          supplied: answer.supplied as SregValues,
          granted: answer.granted as SregField[],
          ...(answer.blob ? { blob: answer.blob } : {}),
          ...(answer.isCodeIssued ? { loginCode: code.code } : {}),
          ...(answer.authTime ? { authTime: answer.authTime } : {}),
          ...(answer.authPolicies ? { authPolicies: answer.authPolicies } : {}),
        },
      };
    }
  }
}

/** Whether the step's request is a privacy center sign-in (`mode = 'account'`, stored as `{ account: true }`). */
function isAccountRequest(answer: StepAnswer): boolean {
  return (answer.openidRequest as { account?: unknown } | null)?.account === true;
}

/**
 * A privacy center sign-in's end: signed in when the AW named a person whose profile (and key) still
 * exist; anything else (a cancel, the person erased meanwhile) is a cancel. Never an assertion.
 */
function accountResult(customer: CustomerConfig, answer: StepAnswer): FlowResult {
  const isSignedIn = answer.outcome === 'id_res' && answer.username !== null && answer.profileId !== null;
  return isSignedIn
    ? { kind: 'account', customer, outcome: 'signed_in', profileId: answer.profileId, username: answer.username }
    : { kind: 'account', customer, outcome: 'cancelled', profileId: null, username: null };
}

/**
 * An OpenID Connect sign-in's answer: the code the completion step stored, or why there is none.
 * When the client asked for max_age and the AW reports an older login than that, the code stays
 * unsent (it expires unused): the client is told `login_required` (Core §3.1.2.1).
 */
function oidcAnswer(ctx: StepContext, request: StoredAuthorization, answer: StepAnswer, code: PendingLoginCode): OidcAnswer {
  if (answer.outcome !== 'id_res' || answer.username === null) return { error: 'access_denied', description: 'the sign-in was cancelled or declined' };
  if (!answer.isCodeIssued) return { error: 'access_denied', description: 'the client is no longer enabled' };
  // prompt=login asks for a login made now: max_age=0 (Core §3.1.2.1). The AW was asked for it (max_auth_age), and must show it.
  const maxAge = request.prompt.includes('login') ? 0 : request.maxAge;
  if (maxAge !== null) {
    if (!answer.authTime) return { error: 'login_required', description: 'the website did not say when the person logged in, and the client asked for a recent login' };
    if (ctx.clock.now().getTime() - answer.authTime.getTime() > (maxAge + MAX_AGE_SKEW_SECONDS) * 1000) return { error: 'login_required', description: 'the login is older than the client allows' };
  }
  return { code: code.code };
}

/** Step 7's page. A restricted user (restricted after the postback, too) is offered no attributes. */
function consentPage(ctx: StepContext, customer: CustomerConfig, answer: StepAnswer, cookie: string): FlowResult {
  const oidc = (answer.openidRequest as { oidc?: StoredAuthorization }).oidc;
  const stored = answer.openidRequest as StoredRequest;
  const supplied = (answer.supplied ?? {}) as SregValues;
  const requiredFields = answer.requiredFields ?? [];
  return {
    kind: 'consent',
    view: {
      customerName: customer.name,
      realm: answer.realm!,
      identity: oidc || stored.input.isIdentifierSelect ? `${opBase(ctx.publicUrl, customer)}/id/${encodeURIComponent(answer.username!)}` : stored.input.claimedId,
      action: `/c/${customer.slug}/ows_consent`,
      authRequestId: answer.authRequestId!,
      csrf: csrfToken(ctx.secretKeys, answer.authRequestId!, cookie),
      attributes: answer.isMinor
        ? []
        : (answer.requestedFields ?? [])
            .filter((field) => supplied[field as SregField] !== undefined)
            .map((field) => ({ field, value: supplied[field as SregField]!, isRequired: requiredFields.includes(field) })),
      policyUrl: oidc ? null : (stored.input.sreg?.policyUrl ?? null),
      client: oidc ? { name: oidc.clientName, logoUri: oidc.logoUri, offlineAccess: oidc.scopes.includes('offline_access') } : null,
    },
  };
}

export function opBase(publicUrl: string, customer: CustomerConfig): string {
  return customerUrls(publicUrl, customer.slug).openidIdentifier.replace(/\/$/, '');
}
