import type { AuthRequestInput } from '../openid';
import type { CustomerConfig } from '../customers';
import type { LoginOutcome } from '../openid-provider';
import type { FlowRefusal } from './identity-flow.errors';

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
}

/**
 * What a browser step of the flow decided. The flow only decides; the route acts on it: it asks the
 * OP to sign the positive assertion (`assert`) or to build the negative one (`cancel`), renders the
 * consent page, or shows the refusal's page. The step's statement has committed either way.
 */
export type FlowResult =
  | { kind: 'assert'; customer: CustomerConfig; request: AuthRequestInput; outcome: LoginOutcome }
  | { kind: 'cancel'; request: AuthRequestInput }
  | { kind: 'consent'; view: ConsentView }
  | { kind: 'refused'; code: FlowRefusal };

export function refused(code: FlowRefusal): FlowResult {
  return { kind: 'refused', code };
}
