import { useCallback, useEffect, useMemo, useState } from 'react';
import { createBrowserRouter, Link, Navigate, RouterProvider } from 'react-router';
import { Provider as UrqlProvider } from 'urql';
import { createClient } from './api/client';
import { currentSession, signOut as endSession, type Session } from './api/session';
import { Layout } from './components/layout';
import { RequireScope } from './components/require-scope';
import { Loading } from './components/states';
import { AuditPage } from './pages/audit';
import { CustomerSettingsPage, CustomersPage } from './pages/customers';
import { OAuthClientsPage } from './pages/oauth-clients';
import { OperatorTokensPage } from './pages/operator-tokens';
import { OverviewPage } from './pages/overview';
import { DeletionReceiptPage, ProfileDetailPage, ProfilesPage } from './pages/profiles';
import { SignInPage } from './pages/sign-in';
import { SignInDetailPage, SignInsPage } from './pages/sign-ins';
import { WebhookEndpointPage, WebhooksPage } from './pages/webhooks';
import { SessionContext, useOperator } from './session-context';

/** Where an operator lands: their own customer when the token is bound to one, else the customer list. */
function Home() {
  const operator = useOperator();
  if (operator.customerId !== null) return <Navigate to={`/c/${encodeURIComponent(operator.customerId)}`} replace />;
  return <Navigate to="/customers" replace />;
}

function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is no page at this address. <Link to="/">Go to the start page</Link>.
      </p>
    </>
  );
}

const guarded = (scope: string, what: string, page: React.ReactNode) => (
  <RequireScope scope={scope} what={what}>
    {page}
  </RequireScope>
);

const router = createBrowserRouter(
  [
    {
      path: '/',
      element: <Layout />,
      children: [
        { index: true, element: <Home /> },
        { path: 'customers', element: guarded('customers:read', 'Customers', <CustomersPage />) },
        { path: 'operator-tokens', element: guarded('operators:manage', 'Operator tokens', <OperatorTokensPage />) },
        {
          path: 'c/:customerId',
          children: [
            { index: true, element: guarded('requests:read', 'Overview', <OverviewPage />) },
            { path: 'sign-ins', element: guarded('requests:read', 'Sign-ins', <SignInsPage />) },
            { path: 'sign-ins/:authRequestId', element: guarded('requests:read', 'Sign-in', <SignInDetailPage />) },
            { path: 'profiles', element: guarded('profiles:read', 'Profiles', <ProfilesPage />) },
            { path: 'profiles/:profileId', element: guarded('profiles:read', 'Profile', <ProfileDetailPage />) },
            { path: 'profiles/deletions/:deletionRequestId', element: guarded('profiles:delete', 'Deletion receipt', <DeletionReceiptPage />) },
            { path: 'audit', element: guarded('audit:read', 'Audit', <AuditPage />) },
            { path: 'webhooks', element: guarded('webhooks:write', 'Webhooks', <WebhooksPage />) },
            { path: 'webhooks/:endpointId', element: guarded('webhooks:write', 'Webhook endpoint', <WebhookEndpointPage />) },
            { path: 'oauth-clients', element: guarded('operator', 'OAuth clients', <OAuthClientsPage />) },
            { path: 'settings', element: guarded('customers:read', 'Settings', <CustomerSettingsPage />) },
          ],
        },
        { path: '*', element: <NotFound /> },
      ],
    },
  ],
  { basename: '/dashboard' },
);

/**
 * The app: asks the service for the current session (the cookie is HttpOnly, so only the service
 * knows), shows the sign-in form without one, and the pages with one. A 401 from the API (session
 * expired, token revoked) returns to the form with a note.
 */
export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    currentSession().then(setSession, () => setSession(null));
  }, []);

  const signedOut = useCallback((why: string | null) => {
    setNotice(why);
    setSession(null);
  }, []);

  const client = useMemo(() => (session ? createClient(session.csrfToken, () => signedOut('Your session has ended. Sign in again.')) : null), [session, signedOut]);

  const state = useMemo(
    () =>
      session
        ? {
            session,
            signOut: async () => {
              await endSession(session).catch(() => undefined);
              signedOut('You have signed out.');
            },
          }
        : null,
    [session, signedOut],
  );

  if (session === undefined) return <Loading what="your session" />;
  if (!session || !client || !state) return <SignInPage onSignedIn={(s) => { setNotice(null); setSession(s); }} notice={notice} />;
  return (
    <SessionContext.Provider value={state}>
      <UrqlProvider value={client}>
        <RouterProvider router={router} />
      </UrqlProvider>
    </SessionContext.Provider>
  );
}
