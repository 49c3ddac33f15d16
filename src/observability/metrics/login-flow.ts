import type { FlowResult } from '../../identity-flow';
import { reasonLabel } from './labels';

/** The protocols a sign-in arrives by; `account` is a person's own sign-in to the privacy center (issue 22). */
export type LoginProtocol = 'openid2' | 'oidc' | 'account';

/**
 * One counted step of a sign-in, as `ids_login_flow_steps_total{step,outcome,protocol,reason}`:
 *
 *   started  ok                      a checkid or authorization request created a request and handed off to the login site
 *   postback accepted | refused      the login site's postback (refused carries `reason`; the route cannot tell the protocol)
 *   consent  shown                   the consent page was shown
 *   end      completed | cancelled | expired | refused
 *                                    what the browser's return (or consent answer) ended in
 */
export interface LoginFlowStep {
  step: 'started' | 'postback' | 'consent' | 'end';
  outcome: string;
  protocol?: LoginProtocol;
  reason?: string;
}

/** Counts sign-in steps; counters only (no I/O), so the login path stays as cheap as it was. */
export interface LoginFlowMetrics {
  count(step: LoginFlowStep): void;
}

/** A browser step's result as a counted step. */
export function flowResultStep(result: FlowResult): LoginFlowStep {
  switch (result.kind) {
    case 'assert':
      return { step: 'end', outcome: 'completed', protocol: 'openid2' };
    case 'cancel':
      return { step: 'end', outcome: 'cancelled', protocol: 'openid2' };
    case 'oidc':
      return { step: 'end', outcome: 'code' in result.answer ? 'completed' : 'cancelled', protocol: 'oidc' };
    case 'account':
      return { step: 'end', outcome: result.outcome === 'signed_in' ? 'completed' : 'cancelled', protocol: 'account' };
    case 'consent':
      return { step: 'consent', outcome: 'shown', protocol: result.view.client ? 'oidc' : 'openid2' };
    case 'refused':
      return result.code === 'REQUEST_EXPIRED' ? { step: 'end', outcome: 'expired' } : { step: 'end', outcome: 'refused', reason: reasonLabel(result.code) };
  }
}

/** A postback's answer as a counted step: accepted, or refused with its code. */
export function postbackStep(refusal: string | null): LoginFlowStep {
  return refusal === null ? { step: 'postback', outcome: 'accepted' } : { step: 'postback', outcome: 'refused', reason: reasonLabel(refusal) };
}

/** Counts nothing: for the transports built without metrics (tests of one route, tools). */
export const NO_LOGIN_FLOW_METRICS: LoginFlowMetrics = { count: () => undefined };
