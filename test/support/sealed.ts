import type { App } from '../../src/app';
import { openBody } from '../../src/webhooks/delivery-body';
import { FIELD_PREFIX, fieldAad, openText } from '../../src/keys';
import { ownerSql } from './app';

const SREG = ['nickname', 'email', 'fullname', 'dob', 'gender', 'postcode', 'country', 'language', 'timezone'] as const;

/**
 * The profiles as stored, opened with the app's own keys: what a test asserts about a person's
 * values once they are sealed at rest. Columns not asked for are left out; a value stored in clear
 * (a row from before encryption) is returned as it is.
 */
export async function openedProfiles(app: App, columns: readonly string[], where = 'true'): Promise<Array<Record<string, string | null>>> {
  const rows: Array<Record<string, string | null>> = await ownerSql(
    `select id, customer_id, person_key_id, username, ${SREG.map((c) => `"${c}"`).join(', ')} from profile where ${where} order by created_at, id`,
  );
  const opened: Array<Record<string, string | null>> = [];
  for (const row of rows) {
    const person = row.person_key_id ? await app.services.keys.personById(row.customer_id!, row.person_key_id) : null;
    const open = (column: string, aad: string): string | null => {
      const value = row[column] ?? null;
      if (value === null || !value.startsWith(FIELD_PREFIX)) return value;
      if (!person) throw new Error(`profile ${row.id}: ${column} is sealed under a key that is gone`);
      return openText(person.key, aad, value);
    };
    const all: Record<string, string | null> = { id: row.id!, username: open('username', fieldAad('person', 'username', row.person_key_id ?? '')) };
    for (const c of SREG) all[c] = open(c, fieldAad('profile', c, row.id!));
    opened.push(Object.fromEntries(columns.map((c) => [c, all[c] ?? null])));
  }
  return opened;
}

/** Every row of every public table, as text: where a test looks for a value that must not be stored in clear. */
export async function everyStoredRow(): Promise<string> {
  const tables: Array<{ tablename: string }> = await ownerSql(`select tablename from pg_tables where schemaname = 'public'`);
  const parts: string[] = [];
  for (const { tablename } of tables) parts.push(JSON.stringify(await ownerSql(`select * from "${tablename}"`)));
  return parts.join('\n');
}

/** The customer's lookup hash of a username: how a sealed row names its person. */
export async function usernameHash(app: App, customerId: string, username: string): Promise<string> {
  return app.services.keys.lookupHash(await app.services.keys.customer(customerId), 'username', username);
}

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

/** Webhook delivery bodies as sent (a body about a person is stored sealed under their key), in creation order. */
export async function openedDeliveryBodies(app: App, where = 'true'): Promise<string[]> {
  const rows: Array<{ id: string; customer_id: string; subject_hash: string | null; body: string }> = await ownerSql(
    `select id, customer_id, subject_hash, body from webhook_delivery where ${where} order by created_at, id`,
  );
  const bodies: string[] = [];
  for (const r of rows) {
    const body = await openBody(app.services.keys, { id: r.id, customerId: r.customer_id, subjectHash: r.subject_hash, body: r.body });
    if (body === null) throw new Error(`delivery ${r.id}: its body is sealed under a key that is gone`);
    bodies.push(body);
  }
  return bodies;
}
