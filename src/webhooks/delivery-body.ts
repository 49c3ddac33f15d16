import { fieldAad, isSealed, KeyRing, openText, PersonKey, sealText } from '../keys';

/**
 * A delivery's body at rest (issue 17): an event about a person names them (their username), so
 * its stored body is sealed under that person's key, bound to the delivery
 * (`webhook_delivery.body:<delivery id>`), and their erasure (deleting the key) makes it, and every
 * backup of it, unreadable. The bytes sent, and so the signatures, are the clear body as before.
 * A body about nobody (a test event, a configuration change) holds ids and names only and is
 * stored as it is; a stored body is sealed iff it starts with `ef1.`.
 */

function bodyAad(deliveryId: string): string {
  return fieldAad('webhook_delivery', 'body', deliveryId);
}

export function sealBody(person: PersonKey | null, deliveryId: string, body: string): string {
  return person ? sealText(person.key, bodyAad(deliveryId), body) : body;
}

/** A stored delivery, as far as its body is concerned. */
export interface StoredBody {
  id: string;
  customerId: string;
  subjectHash: string | null;
  body: string;
}

/** The clear body, or null when it cannot be read any more: its person's key is gone (they were erased). */
export async function openBody(keys: KeyRing, delivery: StoredBody): Promise<string | null> {
  if (!isSealed(delivery.body)) return delivery.body;
  const person = delivery.subjectHash === null ? null : await keys.personBySubject(delivery.customerId, delivery.subjectHash);
  if (!person) return null;
  try {
    return openText(person.key, bodyAad(delivery.id), delivery.body);
  } catch {
    // Sealed under a key that is gone: a key made later for the same person is another key.
    return null;
  }
}

/** A body copied to another delivery (a redelivery): opened and sealed again for the new row. */
export async function resealBody(keys: KeyRing, from: StoredBody, toDeliveryId: string): Promise<string | null> {
  const clear = await openBody(keys, from);
  if (clear === null || clear === from.body) return clear;
  const person = await keys.personBySubject(from.customerId, from.subjectHash!);
  return person ? sealBody(person, toDeliveryId, clear) : null;
}
