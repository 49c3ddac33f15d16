import { randomBytes, randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import type { App } from '../src/app';
import { sealOutboxPayload } from '../src/audit/payload-cipher';
import { lookupHash, newDataKey, subkey, wrapPersonKey } from '../src/keys/field-cipher';
import type { PersonKey } from '../src/keys';

/**
 * Queues `events` audit events in the outbox as the service writes them since encryption at rest:
 * one person each, with a key in the keyring, and the username and the changed email sealed under
 * it. Keys and rows are written in bulk, so the setup costs seconds, not a round trip per person.
 */
export async function queueSealedEvents(owner: Client, app: App, customerId: string, events: number): Promise<void> {
  const customer = await app.services.keys.customer(customerId);
  const CHUNK = 5000;
  for (let start = 1; start <= events; start += CHUNK) {
    const keys: { id: string[]; usernameHash: string[]; subject: string[]; profileId: string[]; wrapped: Buffer[] } = { id: [], usernameHash: [], subject: [], profileId: [], wrapped: [] };
    const outbox: { subject: string[]; target: string[]; payload: string[] } = { subject: [], target: [], payload: [] };
    for (let n = start; n < Math.min(start + CHUNK, events + 1); n++) {
      const username = `user${n}`;
      const subject = app.services.audit.subjectHash(customerId, username);
      const key = newDataKey();
      const person: PersonKey = { id: randomUUID(), customerId, profileId: randomUUID(), key, digestKey: subkey(key, 'attribute-digest') };
      keys.id.push(person.id);
      keys.usernameHash.push(lookupHash(customer.lookupKey, 'username', username));
      keys.subject.push(subject);
      keys.profileId.push(person.profileId);
      keys.wrapped.push(wrapPersonKey(customer.key, person.id, key));
      const payload = sealOutboxPayload(person, { type: 'profile', id: person.profileId }, {
        salt: randomBytes(16).toString('hex'),
        subject: username,
        changes: { email: { old: null, new: `${username}@example.com` } },
      });
      outbox.subject.push(subject);
      outbox.target.push(person.profileId);
      outbox.payload.push(JSON.stringify(payload));
    }
    await owner.query(
      `insert into keyring.person_key (id, customer_id, username_hash, subject_hash, profile_id, wrapped)
       select id, $1, h, s, p, w from unnest($2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::bytea[]) as t(id, h, s, p, w)`,
      [customerId, keys.id, keys.usernameHash, keys.subject, keys.profileId, keys.wrapped],
    );
    await owner.query(
      `insert into audit_outbox (customer_id, occurred_at, actor_kind, actor_id, action, target_type, target_id, subject_hash, fields, payload, dispatched_at)
       select $1, now(), 'AW', 'bench', 'profile.updated', 'profile', t, s, '{email}', p::jsonb, now() from unnest($2::text[], $3::text[], $4::text[]) as x(s, t, p)`,
      [customerId, outbox.subject, outbox.target, outbox.payload],
    );
  }
}
