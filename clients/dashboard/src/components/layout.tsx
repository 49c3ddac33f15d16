import { useEffect, useRef } from 'react';
import { NavLink, Outlet, useLocation, useParams } from 'react-router';
import { useQuery } from 'urql';
import { DashboardCustomerHeaderDocument } from '../generated/graphql';
import { useSession } from '../session-context';
import { viewerTimeZone } from './date-time';

interface Link {
  to: string;
  label: string;
  /** The scope the page needs; the link is left out for a role without it. */
  scope: string;
  /** Current only on its own address (the overview), not on the pages below it. */
  isEnd?: boolean;
}

/** The pages of one customer, in the order an operator uses them. */
export function customerLinks(customerId: string): Link[] {
  const base = `/c/${encodeURIComponent(customerId)}`;
  return [
    { to: base, label: 'Overview', scope: 'requests:read', isEnd: true },
    { to: `${base}/sign-ins`, label: 'Sign-ins', scope: 'requests:read' },
    { to: `${base}/profiles`, label: 'Profiles', scope: 'profiles:read' },
    { to: `${base}/audit`, label: 'Audit', scope: 'audit:read' },
    { to: `${base}/webhooks`, label: 'Webhooks', scope: 'webhooks:write' },
    { to: `${base}/oauth-clients`, label: 'OAuth clients', scope: 'operator' },
    { to: `${base}/settings`, label: 'Settings', scope: 'customers:read' },
  ];
}

/**
 * The frame of every signed-in page: a skip link, the header (who is signed in, the customer in
 * view, sign-out), the main navigation (only what the role may use) and the page. Focus moves to
 * the page heading on navigation, so keyboard and screen-reader users land on the new content.
 */
export function Layout() {
  const { session, signOut } = useSession();
  const operator = session.operator;
  const { customerId } = useParams();
  const location = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const [header] = useQuery({ query: DashboardCustomerHeaderDocument, variables: { id: customerId ?? '' }, pause: !customerId });
  const customer = customerId ? header.data?.customer : null;

  useEffect(() => {
    const heading = mainRef.current?.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
  }, [location.pathname]);

  useEffect(() => {
    const h1 = mainRef.current?.querySelector('h1')?.textContent;
    document.title = [h1, customer?.name, 'Identity Services dashboard'].filter(Boolean).join(' · ');
  });

  const links: Link[] = [];
  if (operator.customerId === null) links.push({ to: '/customers', label: 'Customers', scope: 'customers:read' });
  // Off a customer's pages (operator tokens), a customer-bound operator still gets its customer's links.
  const navCustomerId = customerId ?? operator.customerId;
  if (navCustomerId) links.push(...customerLinks(navCustomerId));
  links.push({ to: '/operator-tokens', label: 'Operator tokens', scope: 'operators:manage' });
  const shown = links.filter((link) => operator.scopes.includes(link.scope));

  return (
    <div className="frame">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <p className="brand">Identity Services</p>
        {customer && (
          <p className="customer-name">
            {customer.name} <span className="muted">({customer.slug}, {customer.region})</span>
          </p>
        )}
        <div className="who">
          <span>
            {operator.name} · <span className="role">{operator.role}</span>
            {operator.customerId === null ? ' · all customers' : ''}
          </span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <nav aria-label="Main" className="main-nav">
        <ul>
          {shown.map((link) => (
            <li key={link.to}>
              <NavLink to={link.to} end={link.isEnd ?? false}>
                {link.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" ref={mainRef}>
        <Outlet />
      </main>
      <footer className="muted">Times are shown in {viewerTimeZone()}.</footer>
    </div>
  );
}
