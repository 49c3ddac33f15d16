import { getDiffieHellman, randomBytes } from 'node:crypto';
import { OPENID2_NS, OpenIdMessage, dhServerSession, readDhConsumerParams } from '../src/openid';

/**
 * CPU of the service's Diffie-Hellman step alone (read and check the RP's values, draw xb, exchange,
 * mask the MAC key), in this process: the part of an associate the issue 14 fix is about, apart
 * from HTTP, Redis and PostgreSQL. `modp16` is the dearest group an RP may choose.
 */
export function dhExchangeCpuMs(group: 'default' | 'modp16', iterations: number): number {
  const fields: Record<string, string> = { 'openid.ns': OPENID2_NS, 'openid.mode': 'associate', 'openid.session_type': 'DH-SHA256', 'openid.assoc_type': 'HMAC-SHA256' };
  const rp = group === 'default' ? undefined : getDiffieHellman(group);
  if (rp) {
    rp.generateKeys();
    fields['openid.dh_modulus'] = Buffer.concat([Buffer.from([0]), rp.getPrime()]).toString('base64');
    fields['openid.dh_consumer_public'] = btwocBase64(rp.getPublicKey());
  } else {
    fields['openid.dh_consumer_public'] = 'Ag==';
  }
  const message = OpenIdMessage.fromParams(fields);
  const random = { bytes: (n: number) => randomBytes(n) };
  const macKey = randomBytes(32);
  dhServerSession(readDhConsumerParams(message), random, 'DH-SHA256', macKey); // warm-up: builds the group's context
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i += 1) dhServerSession(readDhConsumerParams(message), random, 'DH-SHA256', macKey);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / iterations;
}

function btwocBase64(unsigned: Buffer): string {
  return ((unsigned[0] ?? 0) >= 0x80 ? Buffer.concat([Buffer.from([0]), unsigned]) : unsigned).toString('base64');
}
