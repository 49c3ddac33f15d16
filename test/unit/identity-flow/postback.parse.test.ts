import { createHash } from 'node:crypto';
import { createKeyedHash } from '../../../src/shared/keyed-hash';
import {
  isUnder13,
  postbackDigest,
  readContent,
  readCredentials,
  readKnownFields,
  type PostbackContent,
} from '../../../src/identity-flow/postback.parse';
import { PostbackRefusedError } from '../../../src/identity-flow';
import { postbackAnswer } from '../../../src/http/postback-answers';

type Pairs = Array<[string, string]>;

const NOW = new Date('2024-06-15T12:00:00Z');
const REQUEST_ID = '3q2-7wHkX0e8Tq1mZr9sYc4bVn6pLa2d';
const base: Pairs = [
  ['request_id', REQUEST_ID],
  ['api_key', 'key-1'],
];

/** The whole pure postback pipeline, in the order the service runs it (docs/protocol.md#postback). */
function parse(pairs: Pairs, now: Date = NOW): PostbackContent {
  const fields = readKnownFields(pairs);
  readCredentials(fields);
  return readContent(fields, now);
}

function userContent(pairs: Pairs, now: Date = NOW): Extract<PostbackContent, { kind: 'user' }> {
  const content = parse([...base, ['username', 'alice'], ...pairs], now);
  if (content.kind !== 'user') throw new Error(`expected a user postback, got ${content.kind}`);
  return content;
}

function refusal(run: () => unknown): PostbackRefusedError {
  try {
    run();
  } catch (err) {
    if (err instanceof PostbackRefusedError) return err;
    throw err;
  }
  throw new Error('expected a PostbackRefusedError, but nothing was thrown');
}

/** The refusal's code, answered on the wire through the postback route's one table (src/http/postback-answers.ts). */
function expectRefused(run: () => unknown, status: number, body: string): void {
  const error = refusal(run);
  expect(postbackAnswer(error.code, error.parameter)).toEqual({ status, body });
}

/** A YYYY-MM-DD date `years` before NOW (same month and day). */
function yearsAgo(years: number): string {
  return `${NOW.getUTCFullYear() - years}-06-15`;
}

describe('postback credentials (docs/protocol.md#postback)', () => {
  it('reads request_id and api_key', () => {
    expect(readCredentials(readKnownFields(base))).toEqual({ requestId: REQUEST_ID, apiKey: 'key-1' });
  });

  it('answers 403 invalid_api_key when api_key is missing', () => {
    expectRefused(() => readCredentials(readKnownFields([['request_id', REQUEST_ID]])), 403, 'error: invalid_api_key');
  });

  it('answers 403 invalid_api_key when api_key is empty', () => {
    expectRefused(() => readCredentials(readKnownFields([['request_id', REQUEST_ID], ['api_key', '']])), 403, 'error: invalid_api_key');
  });

  it('answers 403 before saying anything about request_id when both are missing', () => {
    expectRefused(() => readCredentials(readKnownFields([['username', 'alice']])), 403, 'error: invalid_api_key');
    expectRefused(() => readCredentials(new Map()), 403, 'error: invalid_api_key');
  });

  it('answers 400 missing_parameter request_id when only request_id is missing', () => {
    expectRefused(() => readCredentials(readKnownFields([['api_key', 'key-1']])), 400, 'error: missing_parameter request_id');
    expectRefused(() => readCredentials(readKnownFields([['api_key', 'key-1'], ['request_id', '']])), 400, 'error: missing_parameter request_id');
  });
});

describe('postback field reading', () => {
  it.each(['request_id', 'api_key', 'no_prompt', 'username', 'cancel', 'blob', 'sreg_email', 'sreg_dob', 'auth_time'])(
    'refuses a repeated known field %s with 400 duplicate_parameter',
    (name) => {
      expectRefused(() => readKnownFields([...base, [name, 'a'], [name, 'b']]), 400, `error: duplicate_parameter ${name}`);
    },
  );

  it('refuses a repeated known field even when both values are equal', () => {
    expectRefused(() => readKnownFields([...base, ['username', 'alice'], ['username', 'alice']]), 400, 'error: duplicate_parameter username');
  });

  it('ignores unknown fields, repeated or not, and never keeps them (the demo AW posts a password column)', () => {
    const fields = readKnownFields([
      ...base,
      ['username', 'alice'],
      ['password', 'hunter2'],
      ['password', 'hunter3'],
      ['realm', 'https://rp.example.org/'],
      ['realm', 'https://other.example.org/'],
      ['requested_attributes', 'sreg_email'],
      ['openid.mode', 'id_res'],
    ]);
    expect([...fields.keys()].sort()).toEqual(['api_key', 'request_id', 'username']);
    expect([...fields.values()]).not.toContain('hunter2');
    expect(parse([...base, ['username', 'alice'], ['password', 'x'], ['password', 'y']]).kind).toBe('user');
  });

  it('matches field names exactly (case and spacing matter)', () => {
    const fields = readKnownFields([...base, ['Username', 'alice'], [' username', 'bob'], ['USERNAME', 'carol']]);
    expect(fields.has('username')).toBe(false);
  });
});

describe('postback content: username or cancel', () => {
  it('accepts a username with the fields left at their defaults', () => {
    expect(parse([...base, ['username', 'alice']])).toEqual({
      kind: 'user',
      username: 'alice',
      noPrompt: null,
      supplied: {},
      dropped: [],
      blob: null,
      authTime: null,
      authPolicies: null,
      isMinor: false,
    });
  });

  it('reads a cancel', () => {
    expect(parse([...base, ['cancel', 'true']])).toEqual({ kind: 'cancel' });
    expect(parse([...base, ['cancel', '1']])).toEqual({ kind: 'cancel' });
  });

  it('treats cancel=false next to a username as a normal sign-in', () => {
    expect(parse([...base, ['cancel', 'false'], ['username', 'alice']]).kind).toBe('user');
  });

  it('refuses a username together with a cancel with 400 username_and_cancel', () => {
    expectRefused(() => parse([...base, ['username', 'alice'], ['cancel', 'true']]), 400, 'error: username_and_cancel');
    expectRefused(() => parse([...base, ['cancel', 'TRUE'], ['username', 'alice']]), 400, 'error: username_and_cancel');
  });

  it('refuses a postback with neither username nor cancel with 400 missing_parameter username', () => {
    expectRefused(() => parse(base), 400, 'error: missing_parameter username');
    expectRefused(() => parse([...base, ['username', '']]), 400, 'error: missing_parameter username');
    expectRefused(() => parse([...base, ['cancel', 'false']]), 400, 'error: missing_parameter username');
  });

  it('refuses a cancel value that is not a boolean', () => {
    expectRefused(() => parse([...base, ['cancel', 'yes please']]), 400, 'error: invalid_parameter cancel');
  });

  it('accepts a username of exactly 255 characters, including non-ASCII ones', () => {
    expect(userContent([]).username).toBe('alice');
    const long = 'é'.repeat(255);
    expect(parse([...base, ['username', long]])).toMatchObject({ kind: 'user', username: long });
  });

  it('refuses a username longer than 255 characters', () => {
    expectRefused(() => parse([...base, ['username', 'a'.repeat(256)]]), 400, 'error: invalid_parameter username');
  });

  it.each([
    ['a NUL', 'ali\u0000ce'],
    ['a line feed', 'alice\n'],
    ['a carriage return', 'ali\rce'],
    ['a tab', 'ali\tce'],
    ['DEL', 'alice\u007f'],
    ['a C1 control', 'alice\u0085'],
  ])('refuses a username containing %s', (_label, username) => {
    expectRefused(() => parse([...base, ['username', username]]), 400, 'error: invalid_parameter username');
  });
});

describe('postback content: no_prompt', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['True', true],
    ['1', true],
    ['false', false],
    ['FALSE', false],
    ['fAlSe', false],
    ['0', false],
  ])('reads no_prompt=%s as %s', (value, expected) => {
    expect(userContent([['no_prompt', value]]).noPrompt).toBe(expected);
  });

  it('leaves no_prompt null when the AW does not send it, so the customer policy decides', () => {
    expect(userContent([]).noPrompt).toBeNull();
  });

  it.each(['yes', 'no', 'on', '2', 'true ', ' 1', 't', 'truee', '-1'])('refuses no_prompt=%j with 400 invalid_parameter no_prompt', (value) => {
    expectRefused(() => userContent([['no_prompt', value]]), 400, 'error: invalid_parameter no_prompt');
  });
});

describe('postback content: sreg values (docs/protocol.md#postback, §6.1)', () => {
  it('keeps values that are already in sreg format', () => {
    const content = userContent([
      ['sreg_email', 'alice@example.com'],
      ['sreg_nickname', 'alice'],
      ['sreg_fullname', 'Alice Liddell'],
      ['sreg_dob', '1980-05-04'],
      ['sreg_gender', 'F'],
      ['sreg_postcode', 'OX1 1DP'],
      ['sreg_country', 'GB'],
      ['sreg_language', 'en'],
      ['sreg_timezone', 'Europe/London'],
    ]);
    expect(content.supplied).toEqual({
      email: 'alice@example.com',
      nickname: 'alice',
      fullname: 'Alice Liddell',
      dob: '1980-05-04',
      gender: 'F',
      postcode: 'OX1 1DP',
      country: 'GB',
      language: 'en',
      timezone: 'Europe/London',
    });
    expect(content.dropped).toEqual([]);
  });

  it.each([
    ['male', 'M'],
    ['Male', 'M'],
    ['female', 'F'],
    ['FEMALE', 'F'],
    ['m', 'M'],
  ])('normalises sreg_gender=%s to %s', (value, expected) => {
    expect(userContent([['sreg_gender', value]]).supplied.gender).toBe(expected);
  });

  it('upper-cases a two-letter country', () => {
    expect(userContent([['sreg_country', 'fr']]).supplied.country).toBe('FR');
    expect(userContent([['sreg_country', 'uS']]).supplied.country).toBe('US');
  });

  it('keeps a partial date of birth with unknown parts as 00', () => {
    expect(userContent([['sreg_dob', '1980-00-00']]).supplied.dob).toBe('1980-00-00');
  });

  it.each(['01-01-1970', '1970/01/01', '1970-1-1', '1980-13-01', '1980-01-32', 'yesterday'])(
    'drops the date of birth %j and names the field in dropped',
    (value) => {
      const content = userContent([['sreg_dob', value], ['sreg_email', 'alice@example.com']]);
      expect(content.supplied).toEqual({ email: 'alice@example.com' });
      expect(content.dropped).toEqual(['dob']);
    },
  );

  // A date no calendar has is dropped like any other invalid date, never released as sreg.dob.
  it.each(['1990-02-30', '1990-04-31', '1990-02-29'])('drops the impossible date of birth %s', (value) => {
    const content = userContent([['sreg_dob', value]]);
    expect(content.supplied).toEqual({});
    expect(content.dropped).toEqual(['dob']);
  });

  it('drops the values Janrain’s test rig sent (USA, 01-01-1970), naming the fields only', () => {
    const content = userContent([
      ['sreg_country', 'USA'],
      ['sreg_dob', '01-01-1970'],
      ['sreg_gender', 'male'],
    ]);
    expect(content.supplied).toEqual({ gender: 'M' });
    expect([...content.dropped].sort()).toEqual(['country', 'dob']);
    expect(JSON.stringify(content.dropped)).not.toMatch(/USA|1970/);
  });

  it.each(['Europe/Paris', 'America/Los_Angeles', 'UTC'])('keeps the tz-database name %s', (zone) => {
    expect(userContent([['sreg_timezone', zone]]).supplied.timezone).toBe(zone);
  });

  it.each(['Mars/Olympus', 'Europe/', 'not a zone'])('drops the time zone %j', (zone) => {
    const content = userContent([['sreg_timezone', zone]]);
    expect(content.supplied).toEqual({});
    expect(content.dropped).toEqual(['timezone']);
  });

  it.each(['PST', 'IST', 'JST', 'BST'])('drops the abbreviation %s, which is not a tz-database name', (zone) => {
    const content = userContent([['sreg_timezone', zone]]);
    expect(content.supplied).toEqual({});
    expect(content.dropped).toEqual(['timezone']);
  });

  it('treats an empty sreg value as not supplied rather than dropped', () => {
    const content = userContent([['sreg_email', '']]);
    expect(content.supplied).toEqual({});
    expect(content.dropped).toEqual([]);
  });

  it('accepts an sreg value of exactly 1024 characters', () => {
    expect(userContent([['sreg_fullname', 'x'.repeat(1024)]]).supplied.fullname).toHaveLength(1024);
  });

  it.each(['nickname', 'email', 'fullname', 'dob', 'gender', 'postcode', 'country', 'language', 'timezone'])(
    'refuses sreg_%s longer than 1024 characters or containing CR or LF',
    (field) => {
      const name = `sreg_${field}`;
      for (const value of ['x'.repeat(1025), 'line one\nline two', 'line one\rline two', 'a\r\nb']) {
        expectRefused(() => userContent([[name, value]]), 400, `error: invalid_parameter ${name}`);
      }
    },
  );

  it('refuses an sreg value with other control characters', () => {
    expectRefused(() => userContent([['sreg_nickname', 'ali\u0000ce']]), 400, 'error: invalid_parameter sreg_nickname');
  });
});

describe('postback content: blob (docs/protocol.md#blob)', () => {
  it('relays a blob of up to 4096 characters as is', () => {
    const blob = 'lastName=Liddell&firstName=Alice&uuid=42';
    expect(userContent([['blob', blob]]).blob).toBe(blob);
    expect(userContent([['blob', 'b'.repeat(4096)]]).blob).toHaveLength(4096);
  });

  it('refuses a blob longer than 4096 characters', () => {
    expectRefused(() => userContent([['blob', 'b'.repeat(4097)]]), 400, 'error: invalid_parameter blob');
  });

  it.each([['LF', 'a\nb'], ['CR', 'a\rb'], ['CRLF', 'a\r\nb']])('refuses a blob containing %s', (_label, blob) => {
    expectRefused(() => userContent([['blob', blob]]), 400, 'error: invalid_parameter blob');
  });
});

describe('postback content: PAPE inputs (docs/protocol.md#pape)', () => {
  it('reads auth_time as an RFC 3339 UTC instant no later than now', () => {
    expect(userContent([['auth_time', '2024-06-15T11:59:00Z']]).authTime).toEqual(new Date('2024-06-15T11:59:00Z'));
    expect(userContent([['auth_time', '2024-06-15T12:00:00Z']]).authTime).toEqual(NOW);
  });

  it.each(['2024-06-15T12:00:01Z', '2024-06-15 11:00:00Z', '2024-06-15T11:00:00+02:00', '2024-02-32T00:00:00Z', '2024-06-15T12:60:00Z', 'yesterday'])(
    'refuses auth_time=%j',
    (value) => {
      expectRefused(() => userContent([['auth_time', value]]), 400, 'error: invalid_parameter auth_time');
    },
  );

  // `new Date` would roll these over to the next day; the RP must never be told a time the AW did not send.
  it.each(['2024-02-30T00:00:00Z', '2023-02-29T00:00:00Z', '2024-04-31T00:00:00Z', '2024-06-14T24:00:00Z'])(
    'refuses the impossible auth_time %j instead of rolling it over',
    (value) => {
      expectRefused(() => userContent([['auth_time', value]]), 400, 'error: invalid_parameter auth_time');
    },
  );

  it('reads auth_policies as a space-separated list of http(s) URIs', () => {
    const policies = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor  https://example.com/p';
    expect(userContent([['auth_policies', policies]]).authPolicies).toEqual([
      'http://schemas.openid.net/pape/policies/2007/06/multi-factor',
      'https://example.com/p',
    ]);
  });

  it('refuses auth_policies holding something other than http(s) URIs', () => {
    expectRefused(() => userContent([['auth_policies', 'multi-factor']]), 400, 'error: invalid_parameter auth_policies');
  });
});

describe('postback content: minors (COPPA)', () => {
  it('marks the user as a minor when the AW sends under_13=true', () => {
    expect(userContent([['under_13', 'true']]).isMinor).toBe(true);
    expect(userContent([['under_13', '1']]).isMinor).toBe(true);
  });

  it('does not mark the user as a minor for under_13=false and an adult date of birth', () => {
    expect(userContent([['under_13', 'false'], ['sreg_dob', yearsAgo(30)]]).isMinor).toBe(false);
  });

  it('marks the user as a minor from a date of birth 8 years ago even when under_13 is false or absent', () => {
    expect(userContent([['sreg_dob', yearsAgo(8)]]).isMinor).toBe(true);
    expect(userContent([['sreg_dob', yearsAgo(8)], ['under_13', 'false']]).isMinor).toBe(true);
  });

  it('refuses an under_13 value that is not a boolean', () => {
    expectRefused(() => userContent([['under_13', 'maybe']]), 400, 'error: invalid_parameter under_13');
  });
});

describe('isUnder13', () => {
  it('is true for a full date of birth 8 years ago', () => {
    expect(isUnder13(yearsAgo(8), NOW)).toBe(true);
  });

  it('is false for a full date of birth 30 years ago', () => {
    expect(isUnder13(yearsAgo(30), NOW)).toBe(false);
  });

  it('turns false on the 13th birthday and not a day before', () => {
    expect(isUnder13('2011-06-15', NOW)).toBe(false);
    expect(isUnder13('2011-06-16', NOW)).toBe(true);
  });

  it('counts a year-only date as a minor while any birthday in that year could still be under 13', () => {
    // Born some time in 2011: on 2024-06-15 the user may have turned 13 or may not have.
    expect(isUnder13('2011-00-00', NOW)).toBe(true);
    // Born some time in 2010: every possible birthday is at least 13 years ago.
    expect(isUnder13('2010-00-00', NOW)).toBe(false);
    expect(isUnder13('2011-00-00', new Date('2025-01-01T00:00:00Z'))).toBe(false);
  });

  it('counts a year-and-month date by the last day of that month', () => {
    expect(isUnder13('2011-05-00', NOW)).toBe(false);
    expect(isUnder13('2011-06-00', NOW)).toBe(true);
    expect(isUnder13('2011-07-00', NOW)).toBe(true);
  });

  it('counts a year-and-month date by the real last day of a month shorter than 31 days', () => {
    expect(isUnder13('2011-06-00', new Date('2024-06-30T12:00:00Z'))).toBe(false);
    expect(isUnder13('2011-02-00', new Date('2024-03-01T12:00:00Z'))).toBe(false);
  });

  it.each([undefined, '', 'garbage', '01-01-2020', '2020/01/01', '20-01-01', '2020-1-1', ' 2020-01-01'])('is false for %j', (dob) => {
    expect(isUnder13(dob, NOW)).toBe(false);
  });
});

describe('postbackDigest', () => {
  const content: Pairs = [
    ['request_id', REQUEST_ID],
    ['username', 'alice'],
    ['no_prompt', 'false'],
    ['sreg_email', 'alice@example.com'],
  ];

  const hash = createKeyedHash('test-secret-key-0123456789abcdef0123456789ab', 'postback-digest');
  function digest(pairs: Pairs, keyed = hash): string {
    return postbackDigest(readKnownFields(pairs), keyed);
  }

  it('is an HMAC-SHA256 (base64url) that fits the 64-character column', () => {
    expect(digest([...content, ['api_key', 'key-1']])).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('is keyed: without the server secret a stored digest confirms no guessed value', () => {
    const fields = [...content, ['sreg_dob', '2014-03-01']] as Pairs;
    const plain = createHash('sha256').update(JSON.stringify([...readKnownFields(fields)].sort(([a], [b]) => (a < b ? -1 : 1)))).digest();
    expect(digest(fields)).not.toBe(plain.toString('hex'));
    expect(digest(fields)).not.toBe(plain.toString('base64url'));
    expect(digest(fields)).not.toBe(digest(fields, createKeyedHash('another-secret-key-0123456789abcdef012345', 'postback-digest')));
  });

  it('is the same for the same fields in another order', () => {
    expect(digest([['api_key', 'key-1'], ...content])).toBe(digest([...content].reverse().concat([['api_key', 'key-1']])));
  });

  it('is the same when only the api_key differs (a retry after a key rotation)', () => {
    expect(digest([...content, ['api_key', 'old-key']])).toBe(digest([...content, ['api_key', 'new-key']]));
    expect(digest(content)).toBe(digest([...content, ['api_key', 'key-1']]));
  });

  it('is the same when only unknown fields differ', () => {
    expect(digest([...content, ['password', 'a']])).toBe(digest([...content, ['password', 'b']]));
  });

  it('differs when any content field differs, is added or is removed', () => {
    const reference = digest(content);
    expect(digest(content.map(([k, v]): [string, string] => (k === 'username' ? [k, 'bob'] : [k, v])))).not.toBe(reference);
    expect(digest(content.map(([k, v]): [string, string] => (k === 'no_prompt' ? [k, 'true'] : [k, v])))).not.toBe(reference);
    expect(digest(content.map(([k, v]): [string, string] => (k === 'request_id' ? [k, 'other'] : [k, v])))).not.toBe(reference);
    expect(digest([...content, ['sreg_nickname', 'alice']])).not.toBe(reference);
    expect(digest(content.filter(([k]) => k !== 'sreg_email'))).not.toBe(reference);
  });

  it('does not confuse a value moving from one field to another', () => {
    expect(digest([['sreg_nickname', 'alice'], ['sreg_fullname', '']])).not.toBe(digest([['sreg_nickname', ''], ['sreg_fullname', 'alice']]));
  });
});
