import type { CombinedError } from 'urql';
import { describeError, type Problem } from '../api/errors';

/** Shown while a page's data loads; announced politely to screen readers. */
export function Loading({ what = 'data' }: { what?: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** Shown when a list has nothing in it, with what to do next when there is something to do. */
export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="state state-empty">{children}</p>;
}

/** An API failure in words, with its code and the request id to quote when asking for help. */
export function ErrorNotice({ error, extensions, problem }: { error?: CombinedError | undefined; extensions?: Record<string, unknown> | undefined; problem?: Problem }) {
  const shown = problem ?? (error ? describeError(error, extensions) : null);
  if (!shown) return null;
  return (
    <div className="state state-error" role="alert">
      <p>{shown.message}</p>
      {(shown.code || shown.requestId) && (
        <p className="muted">
          {shown.code && <>Code <code>{shown.code}</code>. </>}
          {shown.requestId && <>Request id <code>{shown.requestId}</code>.</>}
        </p>
      )}
    </div>
  );
}

/** Where a role may not see some fields: they are left out, and this says so (not an error). */
export function RoleNote({ children }: { children: React.ReactNode }) {
  return (
    <p className="role-note" role="note">
      {children}
    </p>
  );
}
