import type { ReactNode } from 'react';
import { useOperator } from '../session-context';

/**
 * A page reached by its address by a role that may not use it: said in words, not as an API
 * error. The service refuses the operations anyway; this only spares the operator a failed load.
 */
export function RequireScope({ scope, what, children }: { scope: string; what: string; children: ReactNode }) {
  const operator = useOperator();
  if (operator.scopes.includes(scope)) return <>{children}</>;
  return (
    <>
      <h1>{what}</h1>
      <p className="role-note" role="note">
        Your role ({operator.role}) does not include {what.toLowerCase()}. Ask an owner if you need it.
      </p>
    </>
  );
}
