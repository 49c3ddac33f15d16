import fc from 'fast-check';
import { encodeKvForm, KvFormEncodingError, MalformedKvFormError, OpenIdError, parseKvForm } from '../../../src/openid';

describe('Key-Value form encoding (§4.1.1)', () => {
  it('encodes the §11.2 example one pair per LF-terminated line', () => {
    expect(encodeKvForm([['mode', 'error'], ['error', 'This is an example message']])).toBe(
      'mode:error\nerror:This is an example message\n',
    );
  });

  it('encodes a record in insertion order', () => {
    expect(encodeKvForm({ ns: 'http://specs.openid.net/auth/2.0', is_valid: 'true' })).toBe(
      'ns:http://specs.openid.net/auth/2.0\nis_valid:true\n',
    );
  });

  it('encodes nothing as the empty string', () => {
    expect(encodeKvForm([])).toBe('');
  });

  it.each([
    ['a value containing LF', 'key', 'line1\nline2'],
    ['a key containing LF', 'ke\ny', 'value'],
    ['a key containing a colon', 'ke:y', 'value'],
    ['an empty key', '', 'value'],
  ])('refuses to encode %s', (_label, key, value) => {
    expect(() => encodeKvForm([[key, value]])).toThrow(KvFormEncodingError);
  });

  it('keeps colons inside values', () => {
    expect(encodeKvForm([['invalidate_handle', '{HMAC-SHA1:2398410938412093}']])).toBe(
      'invalidate_handle:{HMAC-SHA1:2398410938412093}\n',
    );
  });
});

describe('Key-Value form parsing', () => {
  it('parses the §11.2 check_authentication answer into two keys, the value keeping its colon', () => {
    const parsed = parseKvForm('is_valid:true\ninvalidate_handle:{HMAC-SHA1:2398410938412093}\n', { strict: true });
    expect([...parsed]).toEqual([
      ['is_valid', 'true'],
      ['invalidate_handle', '{HMAC-SHA1:2398410938412093}'],
    ]);
  });

  it('parses UTF-8 bytes', () => {
    expect(parseKvForm(Buffer.from('name:Zoë\n', 'utf8'), { strict: true }).get('name')).toBe('Zoë');
  });

  it('rejects bytes that are not UTF-8', () => {
    expect(() => parseKvForm(Buffer.from([0x61, 0x3a, 0xff, 0x0a]))).toThrow(MalformedKvFormError);
  });

  it('rejects a string with a lone surrogate', () => {
    expect(() => parseKvForm('a:\ud800\n')).toThrow(MalformedKvFormError);
  });

  it.each([
    ['a line without a colon', 'mode:error\nnonsense\n'],
    ['a repeated key', 'mode:error\nmode:id_res\n'],
    ['an empty key', ':value\n'],
  ])('rejects %s in lenient mode too', (_label, input) => {
    expect(() => parseKvForm(input)).toThrow(MalformedKvFormError);
  });

  describe('lenient points of §11.2', () => {
    it.each([
      ['a missing final LF', 'mode:error\nerror:x', [['mode', 'error'], ['error', 'x']]],
      ['blank lines', 'mode:error\n\n  \nerror:x\n', [['mode', 'error'], ['error', 'x']]],
      ['whitespace around key and value', ' mode : error \n', [['mode', 'error']]],
      ['CRLF line ends', 'mode:error\r\nerror:x\r\n', [['mode', 'error'], ['error', 'x']]],
    ])('tolerates %s with a warning, and strict mode refuses it', (_label, input, expected) => {
      const warnings: string[] = [];
      expect([...parseKvForm(input, { onWarning: (w) => warnings.push(w) })]).toEqual(expected);
      expect(warnings.length).toBeGreaterThan(0);
      expect(() => parseKvForm(input, { strict: true })).toThrow(MalformedKvFormError);
    });
  });

  it('parses the empty document as no pairs', () => {
    expect(parseKvForm('', { strict: true }).size).toBe(0);
  });
});

describe('Key-Value form properties', () => {
  it('either parses arbitrary text or throws an OpenIdError, in both modes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.boolean(), (text, strict) => {
        try {
          parseKvForm(text, { strict });
        } catch (error) {
          expect(error).toBeInstanceOf(OpenIdError);
        }
      }),
    );
  });

  it('either parses arbitrary bytes or throws an OpenIdError', () => {
    fc.assert(
      fc.property(fc.uint8Array(), (bytes) => {
        try {
          parseKvForm(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(OpenIdError);
        }
      }),
    );
  });

  it('re-encodes whatever it accepts into a strict document that parses to the same pairs', () => {
    const kvLine = fc
      .tuple(fc.string({ unit: 'grapheme' }), fc.constantFrom(':', ' : ', ''), fc.string({ unit: 'grapheme' }))
      .map(([k, sep, v]) => `${k}${sep}${v}`);
    fc.assert(
      fc.property(fc.array(kvLine), fc.boolean(), (lines, finalLf) => {
        const text = lines.join('\n') + (finalLf ? '\n' : '');
        let parsed: Map<string, string>;
        try {
          parsed = parseKvForm(text);
        } catch (error) {
          expect(error).toBeInstanceOf(OpenIdError);
          return;
        }
        expect([...parseKvForm(encodeKvForm(parsed), { strict: true })]).toEqual([...parsed]);
      }),
    );
  });

  it('round-trips pairs with distinct, trimmed, LF- and colon-free keys and trimmed LF-free values', () => {
    const key = fc.string({ minLength: 1 }).filter((k) => !/[:\n]/.test(k) && k.trim() === k && k !== '');
    const value = fc.string().filter((v) => !v.includes('\n') && v.trim() === v);
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k }), (pairs) => {
        expect([...parseKvForm(encodeKvForm(pairs), { strict: true })]).toEqual(pairs);
      }),
    );
  });
});
