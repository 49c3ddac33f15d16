import {
  AuthRequestStatus,
  FINAL_STATES,
  IllegalTransitionError,
  isFinal,
  transition,
  TRANSITIONS,
  type AuthRequestEvent,
} from '../../../src/identity-flow/auth-request.state';

const S = AuthRequestStatus;
const STATES = Object.values(AuthRequestStatus);
const EVENTS: AuthRequestEvent[] = ['POSTBACK_USER', 'POSTBACK_CANCEL', 'SHOW_CONSENT', 'COMPLETE', 'EXPIRE'];

/**
 * docs/protocol.md#states, written out by hand (not derived from TRANSITIONS): for each state, the events
 * it allows and where they lead. Every pair not listed here must be refused.
 */
const DOCUMENTED: Record<AuthRequestStatus, Partial<Record<AuthRequestEvent, AuthRequestStatus>>> = {
  // PostBack username → AUTHENTICATED; PostBack cancel → CANCELLED; Return first → COMPLETED; 10 min → EXPIRED
  [S.AWAITING_AW]: { POSTBACK_USER: S.AUTHENTICATED, POSTBACK_CANCEL: S.CANCELLED, COMPLETE: S.COMPLETED, EXPIRE: S.EXPIRED },
  // Return with no_prompt → COMPLETED; without → CONSENT_PENDING; TTL → EXPIRED
  [S.AUTHENTICATED]: { COMPLETE: S.COMPLETED, SHOW_CONSENT: S.CONSENT_PENDING, EXPIRE: S.EXPIRED },
  // Return → COMPLETED (cancel); TTL → EXPIRED
  [S.CANCELLED]: { COMPLETE: S.COMPLETED, EXPIRE: S.EXPIRED },
  // Approve / Deny → COMPLETED; TTL → EXPIRED
  [S.CONSENT_PENDING]: { COMPLETE: S.COMPLETED, EXPIRE: S.EXPIRED },
  // request_id burned: nothing leaves a final state
  [S.COMPLETED]: {},
  [S.EXPIRED]: {},
};

const allPairs = STATES.flatMap((from) => EVENTS.map((event) => [from, event] as const));
const allowedPairs = allPairs
  .filter(([from, event]) => DOCUMENTED[from][event] !== undefined)
  .map(([from, event]) => [from, event, DOCUMENTED[from][event]!] as const);
const forbiddenPairs = allPairs.filter(([from, event]) => DOCUMENTED[from][event] === undefined);

describe('auth-request state machine (docs/protocol.md#states)', () => {
  it('knows exactly the documented states and events', () => {
    expect([...STATES].sort()).toEqual(Object.keys(DOCUMENTED).sort());
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...EVENTS].sort());
  });

  it('has the transition table the documentation has: TRANSITIONS, read pair by pair, is DOCUMENTED', () => {
    // Built from the implementation's own data (not from the lists above), so a source state added
    // to or dropped from TRANSITIONS shows up here as a difference.
    const implemented = Object.fromEntries(STATES.map((state) => [state, {} as Partial<Record<AuthRequestEvent, AuthRequestStatus>>]));
    for (const [event, rule] of Object.entries(TRANSITIONS) as Array<[AuthRequestEvent, (typeof TRANSITIONS)[AuthRequestEvent]]>) {
      for (const from of rule.from) implemented[from]![event] = rule.to;
    }
    expect(implemented).toEqual(DOCUMENTED);
    expect(allowedPairs).toHaveLength(11);
    expect(forbiddenPairs).toHaveLength(19);
  });

  it.each(allowedPairs)('moves %s on %s to %s', (from, event, to) => {
    expect(transition(from, event)).toBe(to);
  });

  it.each(forbiddenPairs)('refuses %s on %s with IllegalTransitionError', (from, event) => {
    let thrown: unknown;
    try {
      transition(from, event);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(IllegalTransitionError);
    const error = thrown as IllegalTransitionError;
    expect(error.event).toBe(event);
    expect(error.from).toBe(from);
    expect(error.message).toBe(`${event} is not allowed from ${from}`);
  });

  it('treats COMPLETED and EXPIRED, and only those, as final', () => {
    expect([...FINAL_STATES].sort()).toEqual([S.COMPLETED, S.EXPIRED]);
    for (const state of STATES) expect(isFinal(state)).toBe(state === S.COMPLETED || state === S.EXPIRED);
  });

  it.each(STATES.filter(isFinal))('allows no event at all from the final state %s', (state) => {
    for (const event of EVENTS) expect(() => transition(state, event)).toThrow(IllegalTransitionError);
  });

  it.each(STATES.filter((state) => !isFinal(state)))('lets the non-final state %s expire', (state) => {
    expect(transition(state, 'EXPIRE')).toBe(S.EXPIRED);
  });

  it('accepts only one postback: neither postback event is allowed once the AW has answered', () => {
    for (const after of [S.AUTHENTICATED, S.CANCELLED]) {
      expect(() => transition(after, 'POSTBACK_USER')).toThrow(IllegalTransitionError);
      expect(() => transition(after, 'POSTBACK_CANCEL')).toThrow(IllegalTransitionError);
    }
  });
});
