/**
 * The dashboard session (src/dashboard/ on the service): an operator token is exchanged once for
 * an HttpOnly session cookie; the page keeps only the session's CSRF token, in memory. The token
 * itself is never stored anywhere JavaScript can read.
 */
export type OperatorRole = 'owner' | 'admin' | 'support' | 'auditor' | 'viewer';

export interface Operator {
  id: string;
  name: string;
  role: OperatorRole;
  /** The one customer a customer-bound token acts for; null for a platform-wide token. */
  customerId: string | null;
  scopes: string[];
}

export interface Session {
  operator: Operator;
  csrfToken: string;
  expiresAt: string;
}

/** A refusal of the session API, in words, with the request id the service logged it under. */
export class SessionError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly requestId: string | null,
  ) {
    super(message);
  }
}

const API = '/dashboard/api/session';

/** The live session, or null when not signed in. */
export async function currentSession(): Promise<Session | null> {
  const res = await fetch(API, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (res.status === 401) return null;
  return readSession(res);
}

export async function signIn(token: string): Promise<Session> {
  const res = await fetch(API, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ token }),
  });
  return readSession(res);
}

export async function signOut(session: Session): Promise<void> {
  const res = await fetch(API, { method: 'DELETE', credentials: 'same-origin', headers: { 'x-csrf-token': session.csrfToken } });
  if (!res.ok && res.status !== 401) throw await refusal(res);
}

async function readSession(res: Response): Promise<Session> {
  if (!res.ok) throw await refusal(res);
  return (await res.json()) as Session;
}

async function refusal(res: Response): Promise<SessionError> {
  const requestId = res.headers.get('x-request-id');
  let message = `The service answered ${res.status} ${res.statusText}.`;
  try {
    const body = (await res.json()) as { message?: unknown };
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // Not JSON: keep the status line.
  }
  if (res.status === 429) message = `Too many attempts. ${retryAfter(res)}`;
  return new SessionError(message, res.status, requestId);
}

function retryAfter(res: Response): string {
  const seconds = Number(res.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? `Try again in ${Math.ceil(seconds / 60)} minute(s).` : 'Try again later.';
}

/** Whether the operator holds a scope (the service decides; this only hides what would be refused). */
export function can(operator: Operator, scope: string): boolean {
  return operator.scopes.includes(scope);
}
