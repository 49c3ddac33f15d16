import { AsyncLocalStorage } from 'node:async_hooks';

/** Who caused a change, as the audit trail records it. */
export enum ActorKind {
  /** The bootstrap ADMIN_TOKEN or an operator token. */
  OPERATOR = 'OPERATOR',
  /** An OAuth client of a customer. */
  CLIENT = 'CLIENT',
  /** A customer's Authenticating Website, through its postback. */
  AW = 'AW',
  /** The signed-in user, on our consent page. */
  USER = 'USER',
  /** The service itself: jobs, purges, erasure. */
  SYSTEM = 'SYSTEM',
  /** The person the data is about, acting on their own data in the privacy center (`/c/{slug}/account`). */
  DATA_SUBJECT = 'DATA_SUBJECT',
}

export interface Actor {
  readonly kind: ActorKind;
  /** Not personal data: an operator token or client id, a customer slug, a job name. */
  readonly id: string;
}

export const SYSTEM_ACTOR: Actor = Object.freeze({ kind: ActorKind.SYSTEM, id: 'service' });

/** Mutable so that an entry point can name the actor once it has authenticated the caller. */
interface ActorSlot {
  actor: Actor;
}

const slot = new AsyncLocalStorage<ActorSlot>();

/**
 * Runs `fn` as `actor`: every audit event recorded inside names it. Entry points (routes, the
 * GraphQL handler, jobs) call this; services never pass actors around.
 */
export function runAs<T>(actor: Actor, fn: () => T): T {
  return slot.run({ actor }, fn);
}

/** Names the actor of the current unit of work once it is known (after authentication). */
export function identifyActor(actor: Actor): void {
  const current = slot.getStore();
  if (current) current.actor = actor;
}

/** The actor of the current unit of work; the service itself outside any. */
export function currentActor(): Actor {
  return slot.getStore()?.actor ?? SYSTEM_ACTOR;
}
