import {
  AuditEventsDocument,
  createClient,
  GraphqlRequestError,
  MeDocument,
  NetworkError,
  ProfileContactsDocument,
  UpdateProfileDocument,
  errorsAt,
  type ClientGraphqlError,
} from '../../../clients/typescript/src';

type Answer = { status: number; body: unknown } | Error;

/** A fetch that answers from a script and records what it was sent. */
function scriptedFetch(answers: Answer[]) {
  const sent: Array<{ url: string; headers: Record<string, string>; body: { query: string; variables: Record<string, unknown>; operationName?: string } }> = [];
  const fake = (async (url: string, init: RequestInit) => {
    sent.push({ url, headers: init.headers as Record<string, string>, body: JSON.parse(String(init.body)) });
    const answer = answers.shift();
    if (!answer) throw new Error('no more scripted answers');
    if (answer instanceof Error) throw answer;
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    return new Response(text, { status: answer.status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { fake, sent };
}

const noSleep = { sleep: async () => undefined };
const page = (nodes: unknown[], endCursor: string | null, hasNextPage: boolean) => ({ status: 200, body: { data: { auditEvents: { nodes, pageInfo: { endCursor, hasNextPage } } } } });

describe('the integrator client', () => {
  it('sends the printed document, its operation name, the variables and the bearer token', async () => {
    const { fake, sent } = scriptedFetch([{ status: 200, body: { data: { me: { kind: 'OPERATOR' } } } }]);
    const client = createClient({ url: 'http://127.0.0.1:1/graphql', token: 't0k', fetch: fake });
    await client.request(MeDocument);
    expect(sent[0]).toMatchObject({ url: 'http://127.0.0.1:1/graphql', headers: { authorization: 'Bearer t0k' }, body: { operationName: 'Me', variables: {} } });
    expect(sent[0]!.body.query).toMatch(/^query Me \{/);
  });

  it('asks getToken before every attempt', async () => {
    const { fake, sent } = scriptedFetch([new TypeError('fetch failed'), { status: 200, body: { data: { me: {} } } }]);
    let n = 0;
    const client = createClient({ url: 'http://x/graphql', getToken: async () => `token-${++n}`, fetch: fake, retry: noSleep });
    await client.request(MeDocument);
    expect(sent.map((s) => s.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('keeps partial data beside a FORBIDDEN at a field path, typed by code', async () => {
    const { fake } = scriptedFetch([
      {
        status: 200,
        body: {
          data: { profiles: { nodes: [{ id: 'p1', username: 'alice', email: 'a@example.org', fullname: null }], pageInfo: { hasNextPage: false, endCursor: null } } },
          errors: [{ message: 'needs profile.fullname', path: ['profiles', 'nodes', 0, 'fullname'], extensions: { code: 'FORBIDDEN', missingScopes: ['profile.fullname'] } }],
        },
      },
    ]);
    const result = await createClient({ url: 'http://x/graphql', token: 't', fetch: fake }).execute(ProfileContactsDocument, { first: 10 });
    expect(result.data!.profiles.nodes[0]!.email).toBe('a@example.org');
    const [error] = errorsAt(result.errors, 'profiles', 'nodes', 0, 'fullname');
    expect(error!.code).toBe('FORBIDDEN');
    if (error!.code === 'FORBIDDEN') expect(error!.missingScopes).toEqual(['profile.fullname']);
  });

  it('request throws a GraphqlRequestError that still carries the partial data', async () => {
    const { fake } = scriptedFetch([{ status: 200, body: { data: { updateProfile: null }, errors: [{ message: 'bad email', path: ['updateProfile'], extensions: { code: 'BAD_USER_INPUT', field: 'email' } }] } }]);
    const client = createClient({ url: 'http://x/graphql', token: 't', fetch: fake });
    const err: GraphqlRequestError = await client.request(UpdateProfileDocument, { id: 'p1', input: { email: 'x' } }).then(() => { throw new Error('resolved'); }, (e) => e);
    expect(err).toBeInstanceOf(GraphqlRequestError);
    expect(err.errors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'email', path: ['updateProfile'] })]);
    expect(err.data).toEqual({ updateProfile: null });
  });

  it('turns an unknown code into UNKNOWN with the server code kept', async () => {
    const { fake } = scriptedFetch([{ status: 200, body: { data: null, errors: [{ message: 'new', extensions: { code: 'SOMETHING_NEW' } }, { message: 'none' }] } }]);
    const { errors } = await createClient({ url: 'http://x/graphql', token: 't', fetch: fake }).execute(MeDocument);
    expect(errors.map((e: ClientGraphqlError) => [e.code, e.code === 'UNKNOWN' ? e.serverCode : '-'])).toEqual([['UNKNOWN', 'SOMETHING_NEW'], ['UNKNOWN', null]]);
  });

  it('retries a query after network failures and a 503 without a GraphQL body, with growing delays', async () => {
    const { fake, sent } = scriptedFetch([new TypeError('fetch failed'), { status: 503, body: 'Service Unavailable' }, { status: 200, body: { data: { me: { id: 'x' } } } }]);
    const delays: number[] = [];
    const client = createClient({ url: 'http://x/graphql', token: 't', fetch: fake, retry: { attempts: 3, initialDelayMs: 100, sleep: async (ms) => void delays.push(ms) } });
    expect(await client.request(MeDocument)).toEqual({ me: { id: 'x' } });
    expect(sent).toHaveLength(3);
    expect(delays[0]).toBeGreaterThanOrEqual(50);
    expect(delays[0]).toBeLessThanOrEqual(100);
    expect(delays[1]).toBeGreaterThanOrEqual(100);
    expect(delays[1]).toBeLessThanOrEqual(200);
  });

  it('gives up after the last attempt with a NetworkError', async () => {
    const { fake, sent } = scriptedFetch([new TypeError('a'), new TypeError('b'), new TypeError('c')]);
    const client = createClient({ url: 'http://x/graphql', token: 't', fetch: fake, retry: { attempts: 3, ...noSleep } });
    await expect(client.request(MeDocument)).rejects.toMatchObject({ name: 'NetworkError', attempts: 3 });
    expect(sent).toHaveLength(3);
  });

  it('never retries a mutation, whose answer may have been lost after it happened', async () => {
    const { fake, sent } = scriptedFetch([new TypeError('socket hang up'), { status: 200, body: { data: {} } }]);
    const client = createClient({ url: 'http://x/graphql', token: 't', fetch: fake, retry: { attempts: 5, ...noSleep } });
    await expect(client.execute(UpdateProfileDocument, { id: 'p1', input: { nickname: 'x' } })).rejects.toBeInstanceOf(NetworkError);
    expect(sent).toHaveLength(1);
  });

  it('does not retry a GraphQL answer, not even an error one', async () => {
    const { fake, sent } = scriptedFetch([{ status: 500, body: { errors: [{ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] } }]);
    const client = createClient({ url: 'http://x/graphql', token: 't', fetch: fake, retry: noSleep });
    const result = await client.execute(MeDocument);
    expect(result).toMatchObject({ status: 500, data: null, errors: [{ code: 'INTERNAL_SERVER_ERROR' }] });
    expect(sent).toHaveLength(1);
  });

  it('paginates a connection, passing endCursor as after, and stops when the consumer does', async () => {
    const { fake, sent } = scriptedFetch([page([{ id: 'a' }, { id: 'b' }], 'c1', true), page([{ id: 'c' }], 'c2', true), page([{ id: 'd' }], 'c3', false)]);
    const client = createClient({ url: 'http://x/graphql', token: 't', fetch: fake });
    const ids: string[] = [];
    for await (const event of client.paginate(AuditEventsDocument, { first: 2, filter: { subject: 'alice' } }, (d) => d.auditEvents)) ids.push(event.id);
    expect(ids).toEqual(['a', 'b', 'c', 'd']);
    expect(sent.map((s) => s.body.variables)).toEqual([
      { first: 2, filter: { subject: 'alice' }, after: null },
      { first: 2, filter: { subject: 'alice' }, after: 'c1' },
      { first: 2, filter: { subject: 'alice' }, after: 'c2' },
    ]);

    const again = scriptedFetch([page([{ id: 'a' }, { id: 'b' }], 'c1', true)]);
    const early = createClient({ url: 'http://x/graphql', token: 't', fetch: again.fake });
    for await (const event of early.paginate(AuditEventsDocument, { first: 2 }, (d) => d.auditEvents)) if (event.id === 'a') break;
    expect(again.sent).toHaveLength(1);
  });

  it('refuses to loop on a connection that claims a next page without a new cursor', async () => {
    const { fake } = scriptedFetch([page([{ id: 'a' }], null, true)]);
    const client = createClient({ url: 'http://x/graphql', token: 't', fetch: fake });
    const iterate = async () => {
      for await (const _ of client.paginate(AuditEventsDocument, { first: 1 }, (d) => d.auditEvents));
    };
    await expect(iterate()).rejects.toThrow('no new endCursor');
  });
});
