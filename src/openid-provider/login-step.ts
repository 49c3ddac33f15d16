import type { AuthRequestInput, ReturnToVerificationOutcome, SregField, SregValues } from '../openid';
import type { CustomerConfig } from '../customers';

/** What the login step learned about the user, enough to build a positive assertion. */
export interface LoginOutcome {
  /** The AW's stable login name; becomes the claimed identifier. */
  username: string;
  /** Profile values the AW supplied (normalised sreg fields). */
  supplied: SregValues;
  /** Fields the user agreed to release; every requested field when consent was not asked. */
  granted: readonly SregField[];
  /** Opaque AW data relayed in our private extension, when the AW sent some. */
  blob?: string;
  /** One-time login code for the customer's OAuth client, relayed as `openid.ids.code`. */
  loginCode?: string;
  /** PAPE inputs, only as the AW reported them. */
  authTime?: Date;
  authPolicies?: readonly string[];
}

export interface HandoffCookie {
  name: string;
  value: string;
  path: string;
  maxAgeSeconds: number;
}

/**
 * What the login step decided for a validated checkid request: send the browser to the AW, answer
 * at once (a remembered decision, or a test double), or give a negative answer.
 */
export type LoginDecision =
  | { kind: 'redirect'; location: string; cookies?: readonly HandoffCookie[] }
  | { kind: 'authenticated'; outcome: LoginOutcome }
  | { kind: 'cancel' }
  | { kind: 'setup_needed' }
  /** The customer turned out not to exist any more (a cache older than its offboarding). */
  | { kind: 'unknown_customer' };

/**
 * The seam between the OpenID core and the delegated login flow: a validated request goes in, a
 * decision comes out. The identity flow implements it; tests may answer directly.
 */
export interface LoginStep {
  begin(customer: CustomerConfig, request: AuthRequestInput, returnTo: VerifiedReturnTo): Promise<LoginDecision>;
}

/** How return_to fared in RP discovery (§9.2.1), for the login step to record with the request. */
export interface VerifiedReturnTo extends ReturnToVerificationOutcome {
  /** When the discovery behind it ran (earlier than now when it came from the cache). */
  readonly checkedAt: Date;
}
