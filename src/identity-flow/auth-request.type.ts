import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { RequiresScopes } from '../graphql/auth-checker';
import { REQUESTS_PERSONAL } from '../oauth';
import type { Disclosure } from '../profiles';
import { Connection } from '../graphql/connection';
import { AuthRequestStatus } from './auth-request.state';
import { AuthRequestWithTimeline } from './auth-request.query';
import type { ReturnToVerificationStatus } from '../openid';

/** The outcomes of return_to verification, as a GraphQL enum. */
const ReturnToVerificationStatusEnum = { VERIFIED: 'VERIFIED', UNVERIFIED: 'UNVERIFIED', FAILED: 'FAILED', SKIPPED: 'SKIPPED' } as const satisfies Record<ReturnToVerificationStatus, ReturnToVerificationStatus>;
registerEnumType(ReturnToVerificationStatusEnum, {
  name: 'ReturnToVerificationStatus',
  description: 'What return_to verification by RP discovery (OpenID 2.0 §9.2.1) concluded for a request.',
  valuesConfig: {
    VERIFIED: { description: 'The realm\'s XRDS lists a return_to URL this one matches.' },
    UNVERIFIED: { description: 'Discovery ran but did not vouch for return_to (no XRDS, no return_to service, or not listed).' },
    FAILED: { description: 'Discovery could not be run (timeout, refused address, too large, server error).' },
    SKIPPED: { description: 'The customer\'s returnToVerification is OFF.' },
  },
});

/** Which protocol a request came by (issue 19): both run through the same delegated login. */
export enum AuthProtocol {
  OPENID2 = 'OPENID2',
  OIDC = 'OIDC',
  /** A person's sign-in to their own privacy center (issue 22): no relying party, never an assertion. */
  ACCOUNT = 'ACCOUNT',
}
registerEnumType(AuthProtocol, {
  name: 'AuthProtocol',
  description: 'The protocol a relying party used: both run through the same delegated login, consent, audit trail and webhooks.',
  valuesConfig: {
    OPENID2: { description: 'OpenID Authentication 2.0 (checkid at /c/{slug}/openid).' },
    OIDC: { description: 'OpenID Connect (the authorization endpoint /c/{slug}/oidc/authorize).' },
    ACCOUNT: { description: 'No relying party: the person signed in to their own privacy center (/c/{slug}/account), which never produces an assertion.' },
  },
});

/** The protocol of a stored request: OpenID Connect rows carry the mode `oidc`, privacy center sign-ins `account`. */
export function protocolOf(mode: string): AuthProtocol {
  if (mode === 'oidc') return AuthProtocol.OIDC;
  return mode === 'account' ? AuthProtocol.ACCOUNT : AuthProtocol.OPENID2;
}

registerEnumType(AuthRequestStatus, { name: 'AuthRequestStatus', description: 'Where an authentication request stands (docs/protocol.md#states).' });

@ObjectType('AuthRequestTransition', { description: 'One step of an authentication request\'s timeline.' })
export class AuthRequestTransitionType {
  @Field(() => String, { description: 'What happened: VERIFY_RETURN_TO (reason: its outcome), HANDOFF, POSTBACK_USER, POSTBACK_CANCEL, SHOW_CONSENT, COMPLETE or EXPIRE.' })
  event!: string;

  @Field(() => AuthRequestStatus, { nullable: true, description: 'State before; null for the creation.' })
  fromStatus!: AuthRequestStatus | null;

  @Field(() => AuthRequestStatus, { description: 'State after.' })
  toStatus!: AuthRequestStatus;

  @Field(() => Date, { description: 'When it happened.' })
  at!: Date;

  @Field(() => String, { nullable: true, description: 'Why, when the step was a refusal, cancel or expiry.' })
  reason!: string | null;
}

/**
 * An authentication request as the API shows it. Who signed in where (`username`, `realm`,
 * `returnTo`, `releasedFields`) needs `requests.personal` on top of `requests:read`, as profile
 * fields need `profile.<field>`: without it those fields are FORBIDDEN at their path and null, and
 * counts and statuses still resolve. For a person whose processing is restricted they are null for
 * every caller (profiles/disclosure.ts).
 */
@ObjectType('AuthRequest', { description: 'An OpenID authentication request and what became of it. Carries no secrets and no postback body.' })
export class AuthRequestType {
  @Field(() => ID, { description: 'Stable identifier (not the request_id handed to the AW).' })
  id!: string;

  @Field(() => ID, { description: 'The customer whose OP endpoint received it.' })
  customerId!: string;

  @Field(() => AuthRequestStatus, { description: 'Current state.' })
  status!: AuthRequestStatus;

  @Field(() => String, { description: 'checkid_setup or checkid_immediate (OpenID 2.0), or oidc (OpenID Connect).' })
  mode!: string;

  @Field(() => AuthProtocol, { description: 'The protocol the relying party used.' })
  protocol!: AuthProtocol;

  @Field(() => String, { nullable: true, description: 'The OpenID Connect client_id that started the request; null for OpenID 2.0, which names only a realm.' })
  clientId!: string | null;

  @RequiresScopes(REQUESTS_PERSONAL)
  @Field(() => String, { nullable: true, description: 'The relying party\'s realm. Needs `requests.personal`; null while the user is restricted.' })
  realm!: string | null;

  @RequiresScopes(REQUESTS_PERSONAL)
  @Field(() => String, { nullable: true, description: 'Where the answer went. Needs `requests.personal`; null while the user is restricted.' })
  returnTo!: string | null;

  @Field(() => ReturnToVerificationStatusEnum, { nullable: true, description: 'Return-URL verification by RP discovery; null for requests made before it was recorded.' })
  returnToVerification!: ReturnToVerificationStatus | null;

  @Field(() => String, { nullable: true, description: 'Why return_to is not VERIFIED, as a short code (no_xrds, return_to_not_listed, timeout, url_refused, ...).' })
  returnToVerificationReason!: string | null;

  @RequiresScopes(REQUESTS_PERSONAL)
  @Field(() => String, { nullable: true, description: 'The user the AW logged in, once it posted back. Needs `requests.personal`; null while the user is restricted.' })
  username!: string | null;

  @Field(() => [String], { description: 'Profile fields the RP asked for (sreg names).' })
  requestedFields!: string[];

  @Field(() => [String], { description: 'Of those, the ones the RP marked required.' })
  requiredFields!: string[];

  @RequiresScopes(REQUESTS_PERSONAL)
  @Field(() => [String], { nullable: true, description: 'Profile fields released to the RP in the assertion. Needs `requests.personal`; null while the user is restricted.' })
  releasedFields!: string[] | null;

  @Field(() => String, { nullable: true, description: 'What the RP received: id_res (an assertion; for OpenID Connect, an authorization code), cancel or setup_needed.' })
  outcome!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it ended without an identity, when it did.' })
  failureReason!: string | null;

  @Field(() => Date, { description: 'When the RP\'s request arrived.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When the request expires (or expired).' })
  expiresAt!: Date;

  @Field(() => [AuthRequestTransitionType], { description: 'Every state change, oldest first.' })
  timeline!: AuthRequestTransitionType[];

  /** `shown` is the disclosure rule's answer for the request's user: without `activity`, who and where stay null. */
  static from({ request, username, timeline }: AuthRequestWithTimeline, shown: Disclosure): AuthRequestType {
    return Object.assign(new AuthRequestType(), {
      id: request.id,
      customerId: request.customer.id,
      status: request.status,
      mode: request.mode,
      protocol: protocolOf(request.mode),
      clientId: clientIdOf(request.openidRequest),
      realm: shown.activity ? request.realm : null,
      returnTo: shown.activity ? request.returnTo : null,
      returnToVerification: request.returnToVerification,
      returnToVerificationReason: request.returnToVerificationReason,
      username: shown.activity ? username : null,
      requestedFields: [...request.requestedFields],
      requiredFields: [...request.requiredFields],
      releasedFields: shown.activity ? [...request.releasedFields] : null,
      outcome: request.outcome,
      failureReason: request.failureReason,
      createdAt: request.createdAt,
      expiresAt: request.expiresAt,
      timeline: timeline.map((t) =>
        Object.assign(new AuthRequestTransitionType(), { event: t.event, fromStatus: t.fromStatus, toStatus: t.toStatus, at: t.at, reason: t.reason }),
      ),
    });
  }
}

/** The client_id an OpenID Connect request stored (the public identifier; nothing personal). */
function clientIdOf(stored: Record<string, unknown>): string | null {
  const oidc = stored.oidc as { clientId?: unknown } | undefined;
  return typeof oidc?.clientId === 'string' ? oidc.clientId : null;
}

@ObjectType('AuthRequestConnection', { description: 'A page of authentication requests, newest first.' })
export class AuthRequestConnection extends Connection(AuthRequestType) {}

@InputType('AuthRequestFilter', { description: 'Which authentication requests to list; omitted fields do not filter.' })
export class AuthRequestFilterInput {
  @Field(() => ID, { nullable: true, description: 'Only this customer\'s requests (a customer\'s caller always sees only its own; naming another customer finds none).' })
  customerId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only requests whose RP received this outcome: id_res, cancel or setup_needed (anything else is refused).' })
  outcome?: string | null;

  @Field(() => AuthRequestStatus, { nullable: true, description: 'Only requests in this state.' })
  status?: AuthRequestStatus | null;

  @Field(() => String, { nullable: true, description: 'Only requests of this user (exact only: matched by the username\'s keyed hash; never a restricted one\'s). Needs `requests.personal`.' })
  username?: string | null;

  @Field(() => String, { nullable: true, description: 'Only requests from this realm (exact). Needs `requests.personal`.' })
  realm?: string | null;

  @Field(() => AuthProtocol, { nullable: true, description: 'Only requests that came by this protocol.' })
  protocol?: AuthProtocol | null;

  @Field(() => String, { nullable: true, description: 'Only requests of this OpenID Connect client_id.' })
  clientId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Created at or after.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Created at or before.' })
  to?: Date | null;
}
