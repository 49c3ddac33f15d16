import type { SregField } from '../openid';
import type { PrivacyCenterDeletionMode } from '../customers';
import type { PrivacyRequestView } from './privacy-request-recorder';

/** The grounds a person may object on (GDPR art. 21); stored as these codes, never as free text. */
export const OBJECTION_GROUNDS = ['DIRECT_MARKETING', 'PROFILING', 'LEGITIMATE_INTERESTS'] as const;
export type ObjectionGrounds = (typeof OBJECTION_GROUNDS)[number];

export function isObjectionGrounds(value: unknown): value is ObjectionGrounds {
  return (OBJECTION_GROUNDS as readonly unknown[]).includes(value);
}

/** Who last changed a value, as the page names them. */
export type AttributeSource = 'SIGN_IN' | 'YOU' | 'CUSTOMER_APP' | 'CUSTOMER_STAFF' | 'SERVICE' | 'UNKNOWN';

/** One stored attribute: its value and where it came from. */
export interface AccountAttribute {
  field: SregField;
  value: string | null;
  /** When the value was last changed, and by whom; null when the trail holds no change of it. */
  changedAt: Date | null;
  source: AttributeSource;
}

export interface AccountConsent {
  id: string;
  realm: string;
  decision: string;
  grantedFields: readonly string[];
  isRemembered: boolean;
  decidedAt: Date;
  revokedAt: Date | null;
}

export interface AccountSignIn {
  at: Date;
  realm: string;
  /** What the site received (`id_res`, `cancel`, `setup_needed`), or null while unfinished. */
  outcome: string | null;
  releasedFields: readonly string[];
  /** A sign-in to this privacy center rather than to a site. */
  isAccount: boolean;
}

export interface AccountExport {
  id: string;
  status: string;
  requestedAt: Date;
  expiresAt: Date | null;
  /** READY and not expired: the page offers the download. */
  isDownloadable: boolean;
}

/** Everything the overview page shows of one person. */
export interface AccountOverview {
  profileId: string;
  /** The AW's username: how the person is known to the customer. */
  username: string;
  isRestricted: boolean;
  attributes: AccountAttribute[];
  editableFields: readonly SregField[];
  deletionMode: PrivacyCenterDeletionMode;
  consents: AccountConsent[];
  signIns: AccountSignIn[];
  exports: AccountExport[];
  requests: PrivacyRequestView[];
}

/** The page's name for the actor of a profile write (audit actor kinds, src/audit/actor.ts). */
export function sourceOf(actorKind: string | null): AttributeSource {
  switch (actorKind) {
    case 'AW':
      return 'SIGN_IN';
    case 'DATA_SUBJECT':
    case 'USER':
      return 'YOU';
    case 'CLIENT':
      return 'CUSTOMER_APP';
    case 'OPERATOR':
      return 'CUSTOMER_STAFF';
    case 'SYSTEM':
      return 'SERVICE';
    default:
      return 'UNKNOWN';
  }
}
