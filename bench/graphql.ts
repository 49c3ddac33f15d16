import { Client } from 'pg';
import type { HttpClient } from './http-client';

/**
 * GraphQL as a dashboard uses it: customers created through the API with the operator bearer, and
 * the two read scenarios (a page of profiles with their consent decisions, one profile).
 */

export async function graphqlRequest<T>(client: HttpClient, baseUrl: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await client.request(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = JSON.parse(res.body) as { data?: T; errors?: Array<{ message: string }> };
  if (res.status !== 200 || body.errors || !body.data) throw new Error(`graphql: ${res.status} ${res.body.slice(0, 300)}`);
  return body.data;
}

export async function createCustomer(client: HttpClient, baseUrl: string, token: string, slug: string): Promise<{ id: string; apiKey: string }> {
  const data = await graphqlRequest<{ createCustomer: { apiKey: string; customer: { id: string } } }>(
    client,
    baseUrl,
    token,
    `mutation Create($input: CreateCustomerInput!) { createCustomer(input: $input) { apiKey customer { id } } }`,
    // The Verify URL is never fetched: the driver plays the AW and reads request_id off the redirect.
    { input: { slug, name: `${slug} bench`, verifyUrl: 'http://127.0.0.1:9/verify', region: 'EU' } },
  );
  return { id: data.createCustomer.customer.id, apiKey: data.createCustomer.apiKey };
}

/**
 * Seeds `count` profiles with `decisionsEach` consent decisions each, straight into the tables of
 * the IdentityFlow migration (bench data only: the service never sees these rows being written).
 * Returns the profile ids, oldest first.
 */
export async function seedProfiles(databaseUrl: string, customerId: string, count: number, decisionsEach: number): Promise<string[]> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ id: string }>(
      `insert into profile (id, customer_id, username, nickname, email, fullname, country, created_at, updated_at, last_seen_at)
       select gen_random_uuid(), $1, 'seeded' || n, 'seeded' || n, 'seeded' || n || '@example.com', 'Seeded User ' || n, 'FR',
              now() - make_interval(secs => $2 - n), now(), now()
       from generate_series(1, $2::int) as n
       returning id`,
      [customerId, count],
    );
    await db.query(
      `insert into consent_decision (id, customer_id, username, realm, decision, granted_fields, is_remembered, decided_at)
       select gen_random_uuid(), $1, 'seeded' || n, 'http://rp' || d || '.bench.example/', 'ALLOW', '{email,nickname}', true, now()
       from generate_series(1, $2::int) as n, generate_series(1, $3::int) as d`,
      [customerId, count, decisionsEach],
    );
    return rows.map((row) => row.id);
  } finally {
    await db.end();
  }
}

export const PROFILE_PAGE_QUERY = `query Page($first: Int!, $after: String) {
  profiles(first: $first, after: $after) {
    nodes { id username email nickname fullname country lastSeenAt consentDecisions { id realm decision grantedFields decidedAt isRemembered } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const PROFILE_QUERY = `query One($id: ID!) {
  profile(id: $id) { id username email nickname fullname country lastSeenAt consentDecisions { id realm decision grantedFields } }
}`;

/** A page of `first` profiles; checks the page is full and carries consent decisions. */
export function profilePage(client: HttpClient, baseUrl: string, token: string, first: number): () => Promise<void> {
  return async () => {
    const data = await graphqlRequest<{ profiles: { nodes: Array<{ consentDecisions: unknown[] }> } }>(client, baseUrl, token, PROFILE_PAGE_QUERY, { first });
    if (data.profiles.nodes.length !== first) throw new Error(`page of ${data.profiles.nodes.length} profiles, expected ${first}`);
    if (!data.profiles.nodes.some((node) => node.consentDecisions.length > 0)) throw new Error('no consent decisions on the page');
  };
}

/** One profile by id, cycling through `ids`. */
export function singleProfile(client: HttpClient, baseUrl: string, token: string, ids: readonly string[]): () => Promise<void> {
  let n = 0;
  return async () => {
    const id = ids[n++ % ids.length]!;
    const data = await graphqlRequest<{ profile: { id: string } | null }>(client, baseUrl, token, PROFILE_QUERY, { id });
    if (data.profile?.id !== id) throw new Error('profile not found');
  };
}
