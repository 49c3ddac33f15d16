/**
 * The life of an authentication request (docs/protocol.md#states). Every change of state goes through
 * `transition`, which names the event and checks the state it starts from; the repository applies
 * it as a compare-and-set, so two instances (or a double click) cannot both move one request.
 *
 *                 checkid_setup (step 1)
 *                        │ hand-off to the Verify URL (step 2)
 *                        ▼
 *                   AWAITING_AW ───────────── Return before any postback ──────────┐
 *            postback    │         postback                                          │
 *            username ┌──┴──┐      cancel                                           │
 *                     ▼     ▼                                                        │
 *           AUTHENTICATED   CANCELLED ─────────── Return (cancel to RP) ─────────────┤
 *             │       │                                                              ▼
 *  no_prompt  │       │ prompt: consent page (step 7)                            COMPLETED
 *  Return ────┼───────┼──────────────────────────────────────────────────────────▶  ▲
 *             │       ▼                                                              │
 *             │  CONSENT_PENDING ─────────── allow (id_res) / deny (cancel) ─────────┘
 *             │
 *   any non-final state past its expiry ──▶ EXPIRED
 */

export enum AuthRequestStatus {
  AWAITING_AW = 'AWAITING_AW',
  AUTHENTICATED = 'AUTHENTICATED',
  CANCELLED = 'CANCELLED',
  CONSENT_PENDING = 'CONSENT_PENDING',
  COMPLETED = 'COMPLETED',
  EXPIRED = 'EXPIRED',
}

export type AuthRequestEvent =
  | 'POSTBACK_USER'
  | 'POSTBACK_CANCEL'
  | 'SHOW_CONSENT'
  | 'COMPLETE'
  | 'EXPIRE';

const S = AuthRequestStatus;

/** For each event, the states it may start from and the state it leads to. */
export const TRANSITIONS: Readonly<Record<AuthRequestEvent, { from: readonly AuthRequestStatus[]; to: AuthRequestStatus }>> = {
  POSTBACK_USER: { from: [S.AWAITING_AW], to: S.AUTHENTICATED },
  POSTBACK_CANCEL: { from: [S.AWAITING_AW], to: S.CANCELLED },
  SHOW_CONSENT: { from: [S.AUTHENTICATED], to: S.CONSENT_PENDING },
  COMPLETE: { from: [S.AWAITING_AW, S.AUTHENTICATED, S.CANCELLED, S.CONSENT_PENDING], to: S.COMPLETED },
  EXPIRE: { from: [S.AWAITING_AW, S.AUTHENTICATED, S.CANCELLED, S.CONSENT_PENDING], to: S.EXPIRED },
};

/** Final states: nothing leaves them, and a request in one never produces another answer. */
export const FINAL_STATES: readonly AuthRequestStatus[] = [S.COMPLETED, S.EXPIRED];

export class IllegalTransitionError extends Error {
  constructor(
    readonly event: AuthRequestEvent,
    readonly from: AuthRequestStatus,
  ) {
    super(`${event} is not allowed from ${from}`);
    this.name = 'IllegalTransitionError';
  }
}

/** The state `event` leads to from `from`, or throws when the event is not allowed there. */
export function transition(from: AuthRequestStatus, event: AuthRequestEvent): AuthRequestStatus {
  const rule = TRANSITIONS[event];
  if (!rule.from.includes(from)) throw new IllegalTransitionError(event, from);
  return rule.to;
}

export function isFinal(status: AuthRequestStatus): boolean {
  return FINAL_STATES.includes(status);
}
