import { App } from '../../../src/app';
import { drainAuditOutbox } from '../../../src/audit/audit-drain.job';
import { startPublicTestApp } from '../../support/app';
import { fullLogin } from '../../support/full-login';
import { graphql } from '../../support/graphql';
import { operatorToken } from '../../support/operators';
import { asOwnerOf, everyRow, regionDatabases, RegionDatabase } from '../../support/regions';
import { waitUntil } from '../../support/wait';

/** The directory names customers by design (id, slug, region: nothing about people); it is not a region's data. */
const isDirectory = (r: { table: string }) => r.table.startsWith('directory.');
const COUNTS = `query($c: ID!) {
  customer(id: $c) { region }
  profiles(first: 100) { nodes { id } }
  consentDecisions(first: 100) { nodes { id } }
  authRequests(first: 100) { nodes { id status } }
  auditEvents(first: 100) { nodes { id action } }
  verifyAuditChain(customerId: $c) { ok eventsChecked }
}`;
const MOVE = `mutation($c: ID!, $r: Region!) { moveCustomerRegion(customerId: $c, region: $r) { id state sourceRegion targetRegion } }`;
const SHOW = `query($id: ID!) { customerRegionMove(id: $id) { state attempts error tables { table rows sourceChecksum targetChecksum } } }`;

interface Counts {
  customer: { region: string };
  profiles: { nodes: unknown[] };
  consentDecisions: { nodes: unknown[] };
  authRequests: { nodes: unknown[] };
  auditEvents: { nodes: Array<{ action: string }> };
  verifyAuditChain: { ok: boolean; eventsChecked: number };
}

/**
 * Issue 18: moving a customer from EU to NA keeps every sign-in, profile, consent and audit event
 * (counts and the chain's verification equal before and after), keeps its URLs working, and leaves
 * nothing of it in EU's database.
 */
describe('moving a customer between regions', () => {
  let app: App;
  let databases: RegionDatabase[];
  let drop: () => Promise<void>;
  let customerId: string;
  let apiKey: string;
  let neighbourId: string;
  /** The customer's own admin token: made in EU, it moves with the customer and keeps working. */
  let token: string;

  beforeAll(async () => {
    let env: Record<string, string>;
    ({ databases, env, drop } = await regionDatabases(['EU', 'NA']));
    app = await startPublicTestApp({ ...env, ROLE: 'all' });
    const create = async (slug: string) => {
      const res = await graphql<{ createCustomer: { apiKey: string; customer: { id: string } } }>(
        app.url!,
        `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { apiKey customer { id } } }`,
        { i: { slug, name: slug, verifyUrl: 'http://127.0.0.1:9/verify', region: 'EU' } },
      );
      expect(res.errors).toBeUndefined();
      return res.data!.createCustomer;
    };
    ({ apiKey, customer: { id: customerId } } = await create('moving-shop'));
    neighbourId = (await create('staying-shop')).customer.id;
    token = await operatorToken(app, 'ADMIN', customerId);
    for (const user of ['ann-9c1', 'ben-9c1']) expect(await fullLogin(app.url!, 'moving-shop', apiKey, user)).toBe(true);
    for (const cell of app.regions) await drainAuditOutbox(cell.db, cell.services.audit, 500);
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await drop?.();
  });

  const counts = async () => {
    const res = await graphql<Counts>(app.url!, COUNTS, { c: customerId }, token);
    expect(res.errors).toBeUndefined();
    const d = res.data!;
    return { region: d.customer.region, profiles: d.profiles.nodes.length, consents: d.consentDecisions.nodes.length, signIns: d.authRequests.nodes.length, audit: d.auditEvents.nodes.length, chain: d.verifyAuditChain };
  };

  it('copies, verifies, switches and erases, keeping everything and leaving nothing behind', async () => {
    const before = await counts();
    expect(before).toMatchObject({ region: 'EU', profiles: 2, consents: 2, signIns: 2 });
    expect(before.chain.ok).toBe(true);

    const started = await graphql<{ moveCustomerRegion: { id: string; state: string; sourceRegion: string; targetRegion: string } }>(app.url!, MOVE, { c: customerId, r: 'NA' });
    expect(started.errors).toBeUndefined();
    expect(started.data!.moveCustomerRegion).toMatchObject({ sourceRegion: 'EU', targetRegion: 'NA' });
    const moveId = started.data!.moveCustomerRegion.id;
    let shown: { state: string; attempts: number; error: string | null; tables: Array<{ table: string; rows: number; sourceChecksum: string; targetChecksum: string }> } | undefined;
    await waitUntil('the move is done', async () => {
      shown = (await graphql<{ customerRegionMove: NonNullable<typeof shown> }>(app.url!, SHOW, { id: moveId })).data?.customerRegionMove;
      return shown?.state === 'DONE' || shown?.state === 'FAILED';
    }, { timeoutMs: 30_000 });
    expect(shown).toMatchObject({ state: 'DONE', error: null });
    // Every table was compared, and matched.
    for (const table of shown!.tables) expect([table.table, table.sourceChecksum]).toEqual([table.table, table.targetChecksum]);
    expect(shown!.tables.find((t) => t.table === 'profile')?.rows).toBe(2);

    const after = await counts();
    expect(after).toEqual({ ...before, region: 'NA' });

    // Nothing of the customer is left in EU's database; its neighbour is untouched.
    const eu = (await everyRow(databases[0]!.owner)).filter((r) => !isDirectory(r));
    expect(eu.filter((r) => r.row.includes(customerId))).toEqual([]);
    expect(eu.some((r) => r.table === 'public.customer' && r.row.includes(neighbourId))).toBe(true);
    const na = await everyRow(databases[1]!.owner);
    expect(na.some((r) => r.table === 'public.profile' && r.row.includes(customerId))).toBe(true);

    // Its URLs keep working: the next sign-in goes to NA.
    expect(await fullLogin(app.url!, 'moving-shop', apiKey, 'cat-9c1')).toBe(true);
    expect((await counts()).signIns).toBe(3);

    // The move is on NA's platform audit trail.
    await drainAuditOutbox(app.regions[1]!.db, app.regions[1]!.services.audit, 500);
    const trail = await everyRow(databases[1]!.owner);
    expect(trail.filter((r) => r.table === 'public.audit_event' && r.row.includes('customer.region_move_')).length).toBe(2);
  }, 90_000);

  it('refuses a move to the region the customer is in, to an unknown customer, or by a customer-bound caller', async () => {
    const same = await graphql(app.url!, MOVE, { c: neighbourId, r: 'EU' });
    expect(same.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'region' });
    const unknown = await graphql(app.url!, MOVE, { c: '00000000-0000-4000-8000-000000000000', r: 'NA' });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const notServed = await graphql(app.url!, MOVE, { c: neighbourId, r: 'APAC' });
    expect(notServed.errors?.[0]?.extensions?.code).toBe('REGION_NOT_SERVED');
    // The customer's own admin may not move it (platform owners only), nor see moves.
    const byCustomer = await graphql(app.url!, MOVE, { c: customerId, r: 'EU' }, token);
    expect(byCustomer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const seenByCustomer = await graphql(app.url!, `query($c: ID!) { customerRegionMoves(customerId: $c) { id } }`, { c: customerId }, token);
    expect(seenByCustomer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const moves = await graphql<{ customerRegionMoves: unknown[] }>(app.url!, `query($c: ID!) { customerRegionMoves(customerId: $c) { id } }`, { c: neighbourId });
    expect(moves.data!.customerRegionMoves).toEqual([]);
  });

  it('resumes a move left unfinished from its recorded step, and refuses another target meanwhile', async () => {
    // As a process that stopped right after recording the move would leave it.
    const moveId = '7f1e2d3c-4b5a-4968-8776-655443322110';
    await asOwnerOf(
      databases[0]!.owner,
      `insert into directory.region_move (id, customer_id, source_region, target_region, state, requested_by, created_at, updated_at) values ($1, $2, 'EU', 'NA', 'COPYING', 'test', now(), now())`,
      [moveId, neighbourId],
    );
    const other = await graphql(app.url!, MOVE, { c: neighbourId, r: 'APAC' });
    expect(other.errors?.[0]?.extensions?.code).toBe('REGION_MOVE_IN_PROGRESS');
    const resumed = await graphql<{ moveCustomerRegion: { id: string } }>(app.url!, MOVE, { c: neighbourId, r: 'NA' });
    expect(resumed.data!.moveCustomerRegion.id).toBe(moveId);
    await app.regionMoves.settled(moveId);
    const shown = await graphql<{ customerRegionMove: { state: string; attempts: number } }>(app.url!, SHOW, { id: moveId });
    expect(shown.data!.customerRegionMove).toMatchObject({ state: 'DONE', attempts: 1 });
    const customer = await graphql<{ customer: { region: string } }>(app.url!, `query($c: ID!) { customer(id: $c) { region } }`, { c: neighbourId });
    expect(customer.data!.customer.region).toBe('NA');
    expect((await everyRow(databases[0]!.owner)).filter((r) => !isDirectory(r) && r.row.includes(neighbourId))).toEqual([]);
  });
});
