import type { AuthRequestInput, SregValues } from '../../src/openid';
import { SREG_FIELDS } from '../../src/openid';
import type { LoginDecision, LoginStep, VerifiedReturnTo } from '../../src/openid-provider';

/**
 * A stand-in for the delegated login step: every checkid request is answered at once as if the
 * AW had logged in `username` with `supplied` profile values and the user approved every field.
 * It records the requests it saw.
 */
export class ImmediateLogin implements LoginStep {
  readonly seen: AuthRequestInput[] = [];
  /** How each seen request's return_to fared in RP discovery. */
  readonly verifications: VerifiedReturnTo[] = [];
  decision: 'authenticated' | 'cancel' | 'setup_needed' = 'authenticated';

  constructor(
    public username = 'alice',
    public supplied: SregValues = { email: 'alice@example.com', nickname: 'alice', fullname: 'Alice Liddell' },
  ) {}

  async begin(_customer: unknown, request: AuthRequestInput, returnTo: VerifiedReturnTo): Promise<LoginDecision> {
    this.seen.push(request);
    this.verifications.push(returnTo);
    if (this.decision !== 'authenticated') return { kind: this.decision };
    return { kind: 'authenticated', outcome: { username: this.username, supplied: this.supplied, granted: SREG_FIELDS } };
  }
}
