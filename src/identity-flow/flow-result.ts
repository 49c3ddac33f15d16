import type { AuthRequestInput } from '../openid';
import type { CustomerConfig } from '../customers';
import type { LoginOutcome } from '../openid-provider';
import type { FlowRefusal } from './identity-flow.errors';
import type { StoredAuthorization } from '../oidc/stored-authorization';

/** What the consent page shows (step 7); the browser route renders it. */
export interface ConsentView {
  customerName: string;
  realm: string;
  identity: string;
  action: string;
  authRequestId: string;
  csrf: string;
  attributes: Array<{ field: string; value: string; isRequired: boolean }>;
  policyUrl: string | null;
  /** The OpenID Connect client asking, by its registered name and logo (null for OpenID 2.0, which names only the realm). */
  client?: { name: string; logoUri: string | null; offlineAccess: boolean } | null;
}

/** How an OpenID Connect sign-in ended for its client: a code to redeem, or an error for the redirect URI. */
export type OidcAnswer = { code: string } | { error: 'access_denied' | 'login_required'; description: string };

/**
 * What a browser step of the flow decided. The flow only decides; the route acts on it: it asks the
 * OP to sign the positive assertion (`assert`) or to build the negative one (`cancel`), renders the
 * consent page, or shows the refusal's page. The step's statement has committed either way.
 */
export type FlowResult =
  | { kind: 'assert'; customer: CustomerConfig; request: AuthRequestInput; outcome: LoginOutcome }
  | { kind: 'cancel'; request: AuthRequestInput }
  /** An OpenID Connect request's end: the route redirects to the client with the code or the error. */
  | { kind: 'oidc'; customer: CustomerConfig; request: StoredAuthorization; answer: OidcAnswer }
  /**
   * A privacy center sign-in's end (issue 22): the person the AW signed in, by profile, for the route
   * to open an account session; or cancelled. `username` is opened from the sealed answer, never logged.
   */
  | { kind: 'account'; customer: CustomerConfig; outcome: 'signed_in' | 'cancelled'; profileId: string | null; username: string | null }
  | { kind: 'consent'; view: ConsentView }
  | { kind: 'refused'; code: FlowRefusal };

export function refused(code: FlowRefusal): FlowResult {
  return { kind: 'refused', code };
}
