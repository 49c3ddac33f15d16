import {
  computeSignature,
  encodeKvForm,
  OpenIdMessage,
  parseSignedList,
  signatureBaseString,
  signMessage,
  verifySignature,
  type Association,
} from '../../../src/openid';

function association(assocType: Association['assocType'], secret: Buffer): Association {
  return {
    handle: '{HMAC-SHA256}{65920c80}{AbCdEf==}',
    assocType,
    secret,
    issuedAt: new Date(0),
    expiresAt: new Date(8.64e15),
    isPrivate: false,
  };
}

describe('HMAC over Key-Value form, docs/protocol.md#vectors-hmac', () => {
  const base = encodeKvForm([['key1', 'value1'], ['key2', 'value2']]);
  const key = Buffer.from('very_secret', 'ascii');

  it('builds the base string key1:value1\\nkey2:value2\\n', () => {
    expect(base).toBe('key1:value1\nkey2:value2\n');
  });

  it.each([
    ['HMAC-SHA1', 'e01b7604f147c0bb7f9a8be9bcee7d5ce5bb372a', '4Bt2BPFHwLt/movpvO59XOW7Nyo='],
    ['HMAC-SHA256', 'fdaafe3bacfc2a9838ad0564362dea5679d5a55a2e3ca9ed18825c2495781c26', '/ar+O6z8Kpg4rQVkNi3qVnnVpVouPKntGIJcJJV4HCY='],
  ] as const)('computes %s', (assocType, hex, b64) => {
    const sig = computeSignature(assocType, key, base);
    expect(sig).toBe(b64);
    expect(Buffer.from(sig, 'base64').toString('hex')).toBe(hex);
  });
});

describe('the step 8 example of docs/protocol.md#vectors-messages', () => {
  const secret = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
  const signedKeys = [
    'op_endpoint', 'claimed_id', 'identity', 'return_to', 'response_nonce', 'assoc_handle', 'ns.sreg', 'sreg.email',
  ];
  const message = OpenIdMessage.fromFields([
    ['ns', 'http://specs.openid.net/auth/2.0'],
    ['mode', 'id_res'],
    ['op_endpoint', 'https://op.example.com/openid'],
    ['claimed_id', 'https://op.example.com/id/alice'],
    ['identity', 'https://op.example.com/id/alice'],
    ['return_to', 'https://rp.example.org/finish?sid=42'],
    ['response_nonce', '2024-01-01T00:00:00Zq7Ws1d'],
    ['assoc_handle', '{HMAC-SHA256}{65920c80}{AbCdEf==}'],
    ['ns.sreg', 'http://openid.net/extensions/sreg/1.1'],
    ['sreg.email', 'alice@example.com'],
  ]);

  it('builds the documented signature base string', () => {
    expect(signatureBaseString(message, signedKeys)).toBe(
      [
        'op_endpoint:https://op.example.com/openid',
        'claimed_id:https://op.example.com/id/alice',
        'identity:https://op.example.com/id/alice',
        'return_to:https://rp.example.org/finish?sid=42',
        'response_nonce:2024-01-01T00:00:00Zq7Ws1d',
        'assoc_handle:{HMAC-SHA256}{65920c80}{AbCdEf==}',
        'ns.sreg:http://openid.net/extensions/sreg/1.1',
        'sreg.email:alice@example.com',
        '',
      ].join('\n'),
    );
  });

  it('signs it with HMAC-SHA256 as 6qBMaI18Rdm++0PZ0S+g80gNKv6TCKG9BIGjgv9fSaY=', () => {
    const signed = signMessage(message, association('HMAC-SHA256', secret), signedKeys);
    expect(signed.get('signed')).toBe(signedKeys.join(','));
    expect(signed.get('sig')).toBe('6qBMaI18Rdm++0PZ0S+g80gNKv6TCKG9BIGjgv9fSaY=');
  });

  it('gives the SHA1 check value with the first 20 key bytes', () => {
    const base = signatureBaseString(message, signedKeys) as string;
    expect(computeSignature('HMAC-SHA1', secret.subarray(0, 20), base)).toBe('E7OfpUiuqXacKsX14zlT7mDnWhQ=');
  });
});

describe('verifySignature', () => {
  const assoc = association('HMAC-SHA256', Buffer.alloc(32, 1));
  const signed = signMessage(
    OpenIdMessage.fromFields([['ns', 'http://specs.openid.net/auth/2.0'], ['mode', 'id_res'], ['return_to', 'https://rp/']]),
    assoc,
  );

  it('signs every field but signed and sig by default, in message order', () => {
    expect(signed.get('signed')).toBe('ns,mode,return_to');
  });

  it('accepts an untouched message', () => {
    expect(verifySignature(signed, assoc)).toBe(true);
  });

  it('rejects a changed signed value', () => {
    expect(verifySignature(signed.with('return_to', 'https://evil/'), assoc)).toBe(false);
  });

  it('rejects another key', () => {
    expect(verifySignature(signed, association('HMAC-SHA256', Buffer.alloc(32, 2)))).toBe(false);
  });

  it('applies overrides before rebuilding (mode back to id_res for check_authentication)', () => {
    const asked = signed.with('mode', 'check_authentication');
    expect(verifySignature(asked, assoc)).toBe(false);
    expect(verifySignature(asked, assoc, { mode: 'id_res' })).toBe(true);
  });

  it.each([
    ['a signature that is not base64', (m: OpenIdMessage) => m.with('sig', 'not base64!')],
    ['a truncated signature', (m: OpenIdMessage) => m.with('sig', Buffer.alloc(16).toString('base64'))],
    ['a signed list naming a missing field', (m: OpenIdMessage) => m.with('signed', 'ns,mode,claimed_id')],
    ['a signed list with an empty entry', (m: OpenIdMessage) => m.with('signed', 'ns,,mode')],
  ])('rejects %s', (_label, tamper) => {
    expect(verifySignature(tamper(signed), assoc)).toBe(false);
  });

  it('refuses signed lists with duplicates or empty entries', () => {
    expect(parseSignedList('a,b,a')).toBeUndefined();
    expect(parseSignedList('')).toBeUndefined();
    expect(parseSignedList('a,b')).toEqual(['a', 'b']);
  });
});
