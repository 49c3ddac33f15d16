import { SqlPool } from '../db/sql-pool';

/** Whether a region's database holds the OAuth client `clientId` (on the platform pool: no customer is entered yet). */
export async function holdsOAuthClient(platformPool: SqlPool, clientId: string): Promise<boolean> {
  const { rowCount } = await platformPool.query({ name: 'ids_region_holds_client', text: 'select 1 from oauth_client where client_id = $1', values: [clientId] });
  return (rowCount ?? 0) > 0;
}

/** Every customer a region's database holds (id and slug), for the directory's reconciliation at start. */
export async function regionCustomers(platformPool: SqlPool): Promise<Array<{ id: string; slug: string }>> {
  const { rows } = await platformPool.query<{ id: string; slug: string }>('select id, slug from customer order by created_at, id');
  return rows;
}

/**
 * Makes every customer row of a region say that region (`Customer.region` states where the data is
 * stored): before data residency, `region` was a label that could differ from where the rows were.
 * Answers the ids relabelled.
 */
export async function relabelCustomers(platformPool: SqlPool, region: string): Promise<string[]> {
  const { rows } = await platformPool.query<{ id: string }>('update customer set region = $1 where region <> $1 returning id', [region]);
  return rows.map((r) => r.id);
}

/** The move's switch, in the target: the customer's row says where its data now is. */
export async function labelCustomer(platformPool: SqlPool, customerId: string, region: string): Promise<void> {
  await platformPool.query('update customer set region = $2 where id = $1', [customerId, region]);
}
