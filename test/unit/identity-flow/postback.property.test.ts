import fc from 'fast-check';
import { MalformedFormError, parseFormStrict } from '../../../src/http/form';
import { readContent, readCredentials, readKnownFields } from '../../../src/identity-flow/postback.parse';
import { PostbackRefusedError } from '../../../src/identity-flow';
import { postbackAnswer } from '../../../src/http/postback-answers';

const NOW = new Date('2024-06-15T12:00:00Z');

const KNOWN_KEYS = [
  'request_id', 'api_key', 'no_prompt', 'username', 'cancel', 'blob', 'auth_time', 'auth_policies', 'under_13',
  'sreg_nickname', 'sreg_email', 'sreg_fullname', 'sreg_dob', 'sreg_gender', 'sreg_postcode', 'sreg_country',
  'sreg_language', 'sreg_timezone',
];

/** Values that hit the interesting branches more often than uniformly random text would. */
const interestingValue = fc.oneof(
  fc.constantFrom('', 'true', 'FALSE', '1', '0', 'yes', 'male', 'fr', '1980-00-00', '2020-01-01', 'Europe/Paris', 'PST',
    '2024-01-01T00:00:00Z', '2999-01-01T00:00:00Z', 'http://x.example/p https://y.example/q', 'javascript:x', '.', '..'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.integer({ min: 250, max: 4200 }).map((n) => 'x'.repeat(n)),
);

const pairArbitrary = fc.tuple(
  fc.oneof(fc.constantFrom(...KNOWN_KEYS), fc.constantFrom('password', 'realm', 'Username'), fc.string({ maxLength: 12 })),
  interestingValue,
);

describe('postback parsing never fails in an unexpected way (property)', () => {
  it('either accepts arbitrary pairs or refuses them with a coded PostbackRefusedError answered 400/403 with a body that starts with "error: "', () => {
    const outcomes = new Map<string, number>();
    const count = (outcome: string) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    const credentials: Array<[string, string]> = [['request_id', 'r'], ['api_key', 'k'], ['username', 'alice']];
    fc.assert(
      fc.property(fc.boolean(), fc.array(pairArbitrary, { maxLength: 16 }), (withCredentials, extra) => {
        const pairs = withCredentials ? [...credentials.filter(([k]) => !extra.some(([e]) => e === k)), ...extra] : extra;
        try {
          const fields = readKnownFields(pairs);
          readCredentials(fields);
          readContent(fields, NOW);
          count('accepted');
        } catch (err) {
          if (!(err instanceof PostbackRefusedError)) throw err;
          const { status, body } = postbackAnswer(err.code, err.parameter);
          expect([400, 403]).toContain(status);
          expect(body).toMatch(/^error: [a-z_]+( [a-z0-9_]+)?$/);
          expect(err.code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
          expect(body.startsWith(`error: ${err.code.toLowerCase()}`)).toBe(true);
          count(String(status));
        }
      }),
      { numRuns: 3000 },
    );
    // The generator reaches every outcome, so the property is not vacuously true.
    expect(outcomes.get('accepted')).toBeGreaterThan(0);
    expect(outcomes.get('400')).toBeGreaterThan(0);
    expect(outcomes.get('403')).toBeGreaterThan(0);
  });

  it('never echoes a posted value in an error body', () => {
    const marker = 'Zq9Marker';
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...KNOWN_KEYS), fc.constantFrom(`${marker}\n`, `${marker}`, `${marker}`.repeat(400))), { maxLength: 8 }), (pairs) => {
        try {
          const fields = readKnownFields([['request_id', 'r'], ['api_key', 'k'], ...pairs]);
          readCredentials(fields);
          readContent(fields, NOW);
        } catch (err) {
          if (!(err instanceof PostbackRefusedError)) throw err;
          expect(postbackAnswer(err.code, err.parameter).body).not.toContain(marker);
          expect(err.message).not.toContain(marker);
        }
      }),
    );
  });
});

describe('parseFormStrict (property)', () => {
  it('either returns string pairs or throws MalformedFormError for arbitrary text', () => {
    const formish = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.array(fc.constantFrom('a', '=', '&', '%', '+', '2', 'F', 'C', '3', 'E', 'D', '8', '0', 'é', '\uD800'), { maxLength: 40 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(formish, (text) => {
        let pairs: Array<[string, string]>;
        try {
          pairs = parseFormStrict(text);
        } catch (err) {
          expect(err).toBeInstanceOf(MalformedFormError);
          return;
        }
        for (const pair of pairs) {
          expect(pair).toHaveLength(2);
          expect(typeof pair[0]).toBe('string');
          expect(typeof pair[1]).toBe('string');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('either returns pairs or throws MalformedFormError for arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), (bytes) => {
        try {
          expect(Array.isArray(parseFormStrict(Buffer.from(bytes)))).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(MalformedFormError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips URLSearchParams serialisation of arbitrary well-formed pairs, as a string and as UTF-8 bytes', () => {
    const text = fc.string({ unit: 'binary', maxLength: 20 });
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text), { maxLength: 8 }), (pairs) => {
        const encoded = new URLSearchParams(pairs).toString();
        expect(parseFormStrict(encoded)).toEqual(pairs);
        expect(parseFormStrict(Buffer.from(encoded, 'utf8'))).toEqual(pairs);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads both + and %20 as a space, and %2B as a plus (docs/protocol.md#postback)', () => {
    expect(parseFormStrict('username=Alice+Liddell&fullname=Alice%20Liddell&sum=1%2B1')).toEqual([
      ['username', 'Alice Liddell'],
      ['fullname', 'Alice Liddell'],
      ['sum', '1+1'],
    ]);
  });

  it('keeps repeated keys in order, so the postback layer can refuse them', () => {
    expect(parseFormStrict('a=1&a=2&b')).toEqual([['a', '1'], ['a', '2'], ['b', '']]);
  });

  it.each(['a=%', 'a=%2', 'a=%zz', 'a=%ED%A0%80', 'a=%C3', '%FF=1'])('refuses the malformed form %j', (text) => {
    expect(() => parseFormStrict(text)).toThrow(MalformedFormError);
  });

  it('refuses a body that is not UTF-8', () => {
    expect(() => parseFormStrict(Buffer.from([0x61, 0x3d, 0xff]))).toThrow(MalformedFormError);
  });

  it('decodes exactly once, so a double-encoded username stays encoded (docs/protocol.md#postback note)', () => {
    expect(parseFormStrict('username=alice%2540example.com')).toEqual([['username', 'alice%40example.com']]);
  });
});
