import {
  checkNonce,
  formatUtcTimestamp,
  InvalidNonceError,
  judgeNonce,
  judgeNonceTime,
  makeResponseNonce,
  parseResponseNonce,
  ReplayedNonceError,
  tryParseResponseNonce,
} from '../../../src/openid';
import { FixedClock } from '../../../src/shared/clock';
import { InMemoryNonceStore } from './support/in-memory-stores';
import { SeededRandom } from './support/random';

describe('response_nonce format (§10.1, docs/protocol.md#vectors-realms)', () => {
  it('makes YYYY-MM-DDThh:mm:ssZ plus 8 base62 characters from the clock', () => {
    const nonce = makeResponseNonce(new FixedClock(new Date('2024-01-01T12:34:56.789Z')), new SeededRandom('n'));
    expect(nonce).toMatch(/^2024-01-01T12:34:56Z[0-9A-Za-z]{8}$/);
  });

  it('accepts the epoch with six salt characters (26 characters in all)', () => {
    const nonce = '1970-01-01T00:00:00ZabcdeF';
    expect(nonce).toHaveLength(26);
    expect(parseResponseNonce(nonce)).toEqual({ timestamp: new Date(0), salt: 'abcdeF' });
  });

  it('accepts a nonce without salt and salt of any printable ASCII', () => {
    expect(tryParseResponseNonce('2024-02-29T23:59:59Z')).toBeDefined();
    expect(tryParseResponseNonce('2024-02-29T23:59:59Z!~{}')).toBeDefined();
  });

  it.each([
    ['empty', ''],
    ['a numeric offset instead of Z', '1970-01-01T00:00:00+1:00'],
    ['before the epoch', '1969-01-01T00:00:00Z'],
    ['month 00', '1970-00-01T00:00:00Z'],
    ['a dot instead of a dash', '1970.01-01T00:00:00Z'],
    ['no timestamp at all', 'monkeys'],
    ['February 30th', '2024-02-30T00:00:00Z'],
    ['hour 24', '2024-01-01T24:00:00Z'],
    ['a space in the salt', '2024-01-01T00:00:00Zab cd'],
    ['a non-ASCII salt', '2024-01-01T00:00:00Zé'],
    ['more than 255 characters', `2024-01-01T00:00:00Z${'x'.repeat(236)}`],
  ])('rejects %s', (_label, nonce) => {
    expect(tryParseResponseNonce(nonce)).toBeUndefined();
    expect(() => parseResponseNonce(nonce)).toThrow(InvalidNonceError);
  });

  it('formats RFC 3339 UTC without fractions', () => {
    expect(formatUtcTimestamp(new Date('2024-05-06T07:08:09.999Z'))).toBe('2024-05-06T07:08:09Z');
  });
});

describe('nonce window and single use (§11.3)', () => {
  const clock = new FixedClock(new Date('2024-01-01T12:00:00Z'));
  const endpoint = 'https://op.example.com/c/acme/openid';

  it.each([
    ['now', '2024-01-01T12:00:00Zabc', true],
    ['59 minutes old', '2024-01-01T11:01:00Zabc', true],
    ['61 minutes old', '2024-01-01T10:59:00Zabc', false],
    ['4 minutes ahead', '2024-01-01T12:04:00Zabc', true],
    ['6 minutes ahead', '2024-01-01T12:06:00Zabc', false],
  ])('with the default window (1 h back, 5 min ahead), a nonce %s is ok: %s', (_label, nonce, ok) => {
    expect(judgeNonceTime(nonce, { clock }).ok).toBe(ok);
  });

  it('takes a configurable window', () => {
    const nonce = '2024-01-01T11:58:00Zabc';
    expect(judgeNonceTime(nonce, { clock, maxAgeSeconds: 60 })).toEqual({ ok: false, reason: 'too_old' });
    expect(judgeNonceTime('2024-01-01T12:00:30Zabc', { clock, maxFutureSkewSeconds: 10 })).toEqual({ ok: false, reason: 'in_future' });
  });

  it('lets the store forget a nonce once the window has passed it', async () => {
    const store = new InMemoryNonceStore();
    await judgeNonce('2024-01-01T11:30:00Zabc', endpoint, store, { clock });
    expect([...store.used.values()]).toEqual([new Date('2024-01-01T12:30:00Z')]);
  });

  it('accepts a nonce once per endpoint and rejects a reused one', async () => {
    const store = new InMemoryNonceStore();
    const nonce = '2024-01-01T12:00:00Zabc';
    await expect(checkNonce(nonce, endpoint, store, { clock })).resolves.toBeUndefined();
    await expect(checkNonce(nonce, endpoint, store, { clock })).rejects.toThrow(ReplayedNonceError);
    await expect(checkNonce(nonce, 'https://op.example.com/c/other/openid', store, { clock })).resolves.toBeUndefined();
  });

  it('throws InvalidNonceError for malformed or stale nonces without touching the store', async () => {
    const store = new InMemoryNonceStore();
    await expect(checkNonce('monkeys', endpoint, store, { clock })).rejects.toThrow(InvalidNonceError);
    await expect(checkNonce('2020-01-01T00:00:00Z', endpoint, store, { clock })).rejects.toThrow(InvalidNonceError);
    expect(store.used.size).toBe(0);
  });
});
