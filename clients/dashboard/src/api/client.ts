import { cacheExchange, Client, fetchExchange } from 'urql';

/**
 * The GraphQL client: urql over the service's /dashboard/api/graphql, which authenticates by the
 * session cookie and refuses a request without the session's CSRF token in X-CSRF-Token.
 */
export function createClient(csrfToken: string, onSignedOut: () => void): Client {
  return new Client({
    url: '/dashboard/api/graphql',
    exchanges: [cacheExchange, fetchExchange],
    requestPolicy: 'cache-and-network',
    preferGetMethod: false,
    fetchOptions: () => {
      const customerId = customerInView();
      return { credentials: 'same-origin', headers: { 'x-csrf-token': csrfToken, ...(customerId ? { 'ids-customer': customerId } : {}) } };
    },
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      if (res.status === 401) onSignedOut();
      if (res.status === 429) return rateLimited(res);
      return res;
    },
  });
}

/**
 * The customer whose pages are open (`/dashboard/c/<id>/…`), sent as `Ids-Customer`: with several
 * regions, a platform-wide operator's operation that names only an object's id (a profile, a
 * webhook endpoint) runs in that customer's region. The service uses it for routing only.
 */
function customerInView(): string | null {
  const match = /^\/dashboard\/c\/([^/]+)/.exec(window.location.pathname);
  return match ? decodeURIComponent(match[1]!) : null;
}

/**
 * The service's rate limiter answers 429 in plain text (as it does on every route); as a GraphQL
 * error with a code, the page can say in words what happened and when to try again.
 */
function rateLimited(res: Response): Response {
  const seconds = Number(res.headers.get('retry-after'));
  const wait = Number.isFinite(seconds) && seconds > 0 ? `in ${seconds} second${seconds === 1 ? '' : 's'}` : 'in a moment';
  const body = {
    errors: [{ message: `Too many requests from this session: try again ${wait}.`, extensions: { code: 'RATE_LIMITED' } }],
    extensions: { requestId: res.headers.get('x-request-id') },
  };
  return new Response(JSON.stringify(body), { status: 429, headers: { 'content-type': 'application/json' } });
}
