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
    fetchOptions: () => ({ credentials: 'same-origin', headers: { 'x-csrf-token': csrfToken } }),
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      if (res.status === 401) onSignedOut();
      return res;
    },
  });
}
