import { randomBytes, randomUUID } from 'node:crypto';
import { KeyRing, type CustomerKeys, type PersonKey } from '../src/keys';
import { subkey } from '../src/keys/field-cipher';
import { openAnswer, sealPostback } from '../src/identity-flow/sealed-values';
import type { StepAnswer } from '../src/identity-flow/login-steps.repository';
import { systemClock } from '../src/shared/clock';

/**
 * CPU of the encryption at rest one login does, in this process, with its keys in memory (as they
 * are after a customer's and a person's first login): the postback seals the username, three
 * posted values, the blob and three profile attributes, with their lookup hashes and digests; the
 * return opens the username, values and blob. Apart from HTTP and PostgreSQL, which the login rows
 * measure with it.
 */
export async function fieldEncryptionCpuMs(iterations: number): Promise<number> {
  const key = randomBytes(32);
  const customer: CustomerKeys = { customerId: randomUUID(), key, lookupKey: subkey(key, 'lookup-hash') };
  const personKey = randomBytes(32);
  const person: PersonKey = { id: randomUUID(), customerId: customer.customerId, profileId: randomUUID(), key: personKey, digestKey: subkey(personKey, 'attribute-digest') };
  // Only the in-memory parts of the key ring are used: its cache answers every key.
  const keys = new KeyRing({ pool: undefined as never, provider: undefined as never, clock: systemClock, cacheSeconds: 300 });
  (keys as unknown as { people: KeyRing['people'] }).people = async () => new Map([[person.id, person]]);
  const values = {
    username: 'alice.liddell@example.com',
    requestIdHash: randomBytes(32).toString('hex'),
    supplied: { email: 'alice.liddell@example.com', fullname: 'Alice Liddell', country: 'GB' },
    blob: 'lastName=Liddell&uuid=42',
    record: { email: 'alice.liddell@example.com', fullname: 'Alice Liddell', country: 'GB' },
  };
  const once = async () => {
    // The postback hashes the username once, for the key cache and the statement.
    const sealed = sealPostback(customer, keys, person, null, { ...values, usernameHash: keys.lookupHash(customer, 'username', values.username) });
    const answer = { step: 'answer', personKeyId: person.id, requestIdHash: values.requestIdHash, username: sealed.person.username, supplied: sealed.supplied, blob: sealed.blob, openidRequest: { input: {}, usernameHintHash: null } } as unknown as StepAnswer;
    await openAnswer(keys, customer.customerId, answer);
  };
  await once();
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i += 1) await once();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / iterations;
}
