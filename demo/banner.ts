import { DEMO_USERS } from './demo-users';
import { DEMO_SLUG, RunningDemo } from './run-demo';

/**
 * What `npm run demo` prints once everything listens: where to start, and how to look at the
 * sign-ins afterwards in the dashboard, or through the GraphQL API as the platform operator. test/e2e/demo.test.ts runs
 * the curl below exactly as printed.
 */
export function demoBanner(demo: Pick<RunningDemo, 'rpUrl' | 'awUrl' | 'serviceUrl' | 'adminToken' | 'dashboardToken'>): string {
  const users = DEMO_USERS.map((u) => `${u.username} / ${u.password}`).join(', ');
  return [
    '',
    'Demo running. Open the relying party in a browser and sign in:',
    '',
    `  ${demo.rpUrl}/`,
    '',
    `  sample login site (AW)  ${demo.awUrl}/`,
    `  identity service        ${demo.serviceUrl}/  (OP identifier ${demo.serviceUrl}/c/${DEMO_SLUG}/)`,
    `  demo users              ${users}`,
    `  GraphQL API             ${demo.serviceUrl}/graphql`,
    `  dashboard               ${demo.serviceUrl}/dashboard/`,
    `  dashboard token         ${demo.dashboardToken}  (the demo customer's owner, for a day)`,
    // A token the operator set is theirs: the curl then reads it from their shell instead.
    `  admin token             ${demo.adminToken ?? 'your ADMIN_TOKEN (read from $ADMIN_TOKEN below)'}`,
    '',
    'Then list the recent sign-ins at the demo RP (paste into a shell):',
    '',
    ...signInsCurl(demo).map((line) => `  ${line}`),
    '',
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}

/** The example query: the last five sign-ins from the demo RP's realm, with their user and outcome. */
function signInsCurl({ serviceUrl, rpUrl, adminToken }: Pick<RunningDemo, 'serviceUrl' | 'rpUrl' | 'adminToken'>): string[] {
  const query = 'query($realm: String) { authRequests(first: 5, filter: { realm: $realm }) { nodes { createdAt status outcome username releasedFields } } }';
  const body = JSON.stringify({ query, variables: { realm: `${rpUrl}/` } });
  const authorization = adminToken === null ? '"Authorization: Bearer $ADMIN_TOKEN"' : shellQuote(`Authorization: Bearer ${adminToken}`);
  return [`curl -s ${shellQuote(`${serviceUrl}/graphql`)} \\`, `  -H ${authorization} \\`, `  -H 'Content-Type: application/json' \\`, `  -d ${shellQuote(body)}`];
}

/** One single-quoted shell word, whatever the text holds. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
