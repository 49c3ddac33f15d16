import type { AuthRequestStatus } from '../../generated/graphql';

/** States and steps of the flow (docs/protocol.md#states) in an operator's words. */
export const STATUS_WORDS: Record<AuthRequestStatus, string> = {
  AWAITING_AW: 'Waiting for the login site',
  AUTHENTICATED: 'Logged in, returning to the site',
  CONSENT_PENDING: 'Waiting for consent',
  COMPLETED: 'Completed',
  CANCELLED: 'Cancelled',
  EXPIRED: 'Expired',
};

export const STATUSES = Object.keys(STATUS_WORDS) as AuthRequestStatus[];

export const OUTCOME_WORDS: Record<string, string> = {
  id_res: 'Identity sent',
  cancel: 'Cancel sent',
  setup_needed: 'Setup needed',
};

export const OUTCOMES = Object.keys(OUTCOME_WORDS);

const EVENT_WORDS: Record<string, string> = {
  VERIFY_RETURN_TO: 'Return URL checked',
  HANDOFF: 'Handed to the login site',
  POSTBACK_USER: 'Login site reported a user',
  POSTBACK_CANCEL: 'Login site reported a cancel',
  SHOW_CONSENT: 'Consent page shown',
  COMPLETE: 'Answer sent to the site',
  EXPIRE: 'Expired',
};

export const eventWords = (event: string) => EVENT_WORDS[event] ?? event;
export const outcomeWords = (outcome: string | null | undefined) => (outcome ? `${OUTCOME_WORDS[outcome] ?? outcome} (${outcome})` : 'None yet');

/** A stored failure reason is already words ("the user declined on the consent page"): shown as a sentence. */
export function reasonWords(reason: string | null | undefined): string | null {
  if (!reason) return null;
  const sentence = reason.charAt(0).toUpperCase() + reason.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

/** The badge colour of a request: an identity sent is ok, an ending without one is bad, open is a warning. */
export function badgeOf(status: AuthRequestStatus, outcome: string | null | undefined): 'ok' | 'bad' | 'warn' {
  if (status === 'COMPLETED' && outcome === 'id_res') return 'ok';
  if (status === 'COMPLETED' || status === 'CANCELLED' || status === 'EXPIRED') return 'bad';
  return 'warn';
}
