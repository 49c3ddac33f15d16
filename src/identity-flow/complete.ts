import { EntityManager } from '@mikro-orm/postgresql';
import { AuthRequestInput, IndirectResponse, isPersonalDataForbidden, releasableFields, SregField, SregValues } from '../openid';
import type { OpenIdProviderService } from '../openid-provider';
import { Customer } from '../customers';
import { ConsentService } from '../consent';
import type { OAuthLoginCodeService } from '../oauth';
import { disclosureOf, type ProfileService } from '../profiles';
import { Clock } from '../shared/clock';
import { AuditService } from '../audit';
import { AuthRequest } from './auth-request.entity';
import { applyTransition, JOIN } from './auth-request.repository';
import type { ConsentView } from './consent-page';

/** What a browser-facing step of the flow shows next. */
export type FlowPage =
  | { kind: 'indirect'; response: IndirectResponse }
  | { kind: 'consent'; view: ConsentView }
  | { kind: 'error'; status: 400 | 403 | 404 | 409 | 410; message: string };

export function flowError(status: 400 | 403 | 404 | 409 | 410, message: string): FlowPage {
  return { kind: 'error', status, message };
}

export interface CompleteHow {
  outcome: 'id_res' | 'cancel';
  granted?: SregField[];
  reason?: string | null;
  /** Set when the answer came from the consent page: it is stored in the same transaction. */
  consent?: { decision: 'ALLOW' | 'DENY'; isRemembered: boolean };
}

interface CompleteDeps {
  em: EntityManager;
  clock: Clock;
  audit: AuditService;
  consent: ConsentService;
  loginCodes: Pick<OAuthLoginCodeService, 'issue'>;
  profiles: Pick<ProfileService, 'isRestricted'>;
  provider: () => OpenIdProviderService;
}

/**
 * Step 8: moves the request to COMPLETED (compare-and-set, so it answers the RP exactly once),
 * records what was released and the consent decision, then builds the answer for the RP.
 * What may ride on the assertion is the one disclosure rule's (profiles/disclosure.ts): children
 * (COPPA), users whose processing is restricted (GDPR art. 18) and RPs that asked for PAPE no-PII
 * get neither attributes nor the AW's blob; a user other than the one the RP asked about gets a cancel. A positive answer carries a one-time login code for the customer's
 * OAuth client, bound to the user and the released fields (none when the customer has no client).
 */
export async function completeRequest(
  deps: CompleteDeps,
  customer: Customer,
  request: AuthRequest,
  how: CompleteHow,
  input: AuthRequestInput,
  usernameHint: string | null,
): Promise<FlowPage> {
  const now = deps.clock.now();
  let outcome = how.outcome;
  let reason = how.reason ?? null;
  if (outcome === 'id_res' && usernameHint !== null && usernameHint !== request.username) {
    outcome = 'cancel';
    reason = 'the AW logged in another user than the RP asked about';
  }
  const granted = how.granted ?? [];
  let supplied: SregValues = {};
  let released: SregValues = {};
  let blob: string | null = null;
  let loginCode: string | null = null;
  const won = await deps.em.transactional(async (em) => {
    // Read under a lock held to the commit: a restriction set before this answer withholds everything in it.
    const isRestricted = outcome === 'id_res' && (await deps.profiles.isRestricted(em, customer.id, request.username!));
    const allowed = disclosureOf({ isRestricted, isMinor: request.isMinor, isNoPiiRequested: isPersonalDataForbidden(input) }, 'assertion');
    supplied = allowed.attributes ? ((request.supplied ?? {}) as SregValues) : {};
    blob = allowed.blob ? request.blob : null;
    released = outcome === 'id_res' ? releasableFields(input, supplied, granted) : {};
    const moved = await applyTransition(
      em,
      request.id,
      'COMPLETE',
      now,
      { outcome, released_fields: Object.keys(released), ...(reason ? { failure_reason: reason } : {}) },
      reason,
    );
    if (moved && how.consent) {
      await deps.consent.record(em, {
        customer,
        username: request.username!,
        realm: request.realm,
        decision: how.consent.decision,
        grantedFields: how.consent.decision === 'ALLOW' ? granted : [],
        isRemembered: how.consent.isRemembered,
        authRequestId: request.id,
        decidedAt: now,
      });
    }
    if (moved) {
      // A login's outcome: the RP was answered with an assertion, a cancel by the user, or a cancel for a reason.
      await deps.audit.record(em, {
        customerId: customer.id,
        action: outcome === 'id_res' ? 'login.succeeded' : reason ? 'login.failed' : 'login.cancelled',
        target: { type: 'auth_request', id: request.id },
        username: request.username,
        details: { realm: request.realm, releasedFields: Object.keys(released), ...(reason ? { reason } : {}) },
      });
    }
    if (moved && outcome === 'id_res') {
      // Stored with the transition: a code exists exactly when the RP is told about it.
      loginCode = await deps.loginCodes.issue(em, { customerId: customer.id, username: request.username!, releasedFields: Object.keys(released) });
    }
    return moved;
  }, JOIN);
  if (!won) return flowError(409, 'This sign-in has already been completed.');
  const provider = deps.provider();
  if (outcome === 'cancel') return { kind: 'indirect', response: provider.cancel(input) };
  const response = await provider.assert(customer, input, {
    username: request.username!,
    supplied,
    granted,
    ...(blob ? { blob } : {}),
    ...(loginCode ? { loginCode } : {}),
    ...(request.authTime ? { authTime: request.authTime } : {}),
    ...(request.authPolicies ? { authPolicies: request.authPolicies } : {}),
  });
  return { kind: 'indirect', response };
}
