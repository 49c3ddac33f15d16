import { createContext, useContext } from 'react';
import type { Operator, Session } from './api/session';

export interface SessionState {
  session: Session;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<SessionState | null>(null);

/** The signed-in session; every page below the sign-in gate has one. */
export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside the signed-in app');
  return state;
}

export function useOperator(): Operator {
  return useSession().session.operator;
}

/** Whether the signed-in operator holds `scope`: pages leave out what a role may not see. */
export function useCan(): (scope: string) => boolean {
  const operator = useOperator();
  return (scope) => operator.scopes.includes(scope);
}
