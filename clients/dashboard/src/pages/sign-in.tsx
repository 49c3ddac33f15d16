import { useId, useState, type FormEvent } from 'react';
import { signIn, SessionError, type Session } from '../api/session';

/**
 * The sign-in form: the operator pastes an operator token once. It goes to the service in one
 * request and is then dropped: the session lives in an HttpOnly cookie the page cannot read.
 */
export function SignInPage({ onSignedIn, notice }: { onSignedIn: (session: Session) => void; notice?: string | null }) {
  const tokenId = useId();
  const helpId = useId();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ message: string; requestId: string | null } | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const input = form.elements.namedItem('token') as HTMLInputElement;
    const token = input.value.trim();
    if (!token) {
      setProblem({ message: 'Paste an operator token first.', requestId: null });
      input.focus();
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const session = await signIn(token);
      input.value = '';
      onSignedIn(session);
    } catch (error) {
      input.value = '';
      setProblem(error instanceof SessionError ? { message: error.message, requestId: error.requestId } : { message: 'The service could not be reached.', requestId: null });
      input.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <h1>Identity Services dashboard</h1>
      {notice && <p role="status">{notice}</p>}
      <form onSubmit={submit} noValidate aria-describedby={helpId}>
        <label htmlFor={tokenId}>Operator token</label>
        <input id={tokenId} name="token" type="password" autoComplete="off" spellCheck={false} required aria-invalid={problem ? true : undefined} />
        <p id={helpId} className="muted">
          An owner creates operator tokens (<code>ops_…</code>). The token is exchanged for a session cookie and is not kept by this page.
        </p>
        {problem && (
          <div role="alert" className="state state-error">
            <p>{problem.message}</p>
            {problem.requestId && (
              <p className="muted">
                Request id <code>{problem.requestId}</code>.
              </p>
            )}
          </div>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
