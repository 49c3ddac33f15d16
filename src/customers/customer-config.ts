import { PromptPolicy, ReturnToVerification } from './customer.entity';
import type { PrivacyCenterSettings } from './privacy-center-settings';

/**
 * What the login path needs of a customer, as a plain frozen value: read once and cached in the
 * process (see CustomerDirectory), never an ORM entity. Holds nothing secret and nothing personal.
 */
export interface CustomerConfig {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly verifyUrl: string;
  readonly promptPolicy: PromptPolicy;
  readonly trustedRealms: readonly string[];
  readonly returnToVerification: ReturnToVerification;
  /** The person-facing privacy center (`/c/{slug}/account`). */
  readonly privacyCenter: PrivacyCenterSettings;
}
