import { App } from '../../src/app';
import { ownerSql } from './app';

/**
 * Finding a person's rows from a test now that their username is stored sealed: by the username's
 * keyed hash under each customer (the hashes differ per customer), as the service finds them.
 */
export async function usernameHashes(app: App, username: string, customerId?: string): Promise<Array<{ customerId: string; hash: string }>> {
  const customers: string[] = customerId ? [customerId] : (await ownerSql('select id from customer')).map((r: { id: string }) => r.id);
  return Promise.all(customers.map(async (id) => ({ customerId: id, hash: app.services.keys.lookupHash(await app.services.keys.customer(id), 'username', username) })));
}

/** Ids of `table`'s rows of the person (by `username_hash`), oldest id order not promised. */
export async function rowsOfPerson(app: App, table: string, username: string, customerId?: string, columns = 'id'): Promise<Array<Record<string, unknown>>> {
  const hashes = await usernameHashes(app, username, customerId);
  return ownerSql(
    `select ${columns} from "${table}" where (customer_id, username_hash) in (select m.customer_id, m.hash from jsonb_to_recordset(?::jsonb) as m(customer_id uuid, hash text))`,
    [JSON.stringify(hashes.map((h) => ({ customer_id: h.customerId, hash: h.hash })))],
  );
}

/** The id of the person's profile (the first customer's that has one, unless `customerId` is given). */
export async function profileIdOf(app: App, username: string, customerId?: string): Promise<string> {
  const [row] = await rowsOfPerson(app, 'profile', username, customerId);
  if (!row) throw new Error(`no profile of ${username}`);
  return (row as { id: string }).id;
}
