import { randomBytes } from 'node:crypto';
import { parseMasterKeys } from '../../../src/config/master-keys';
import { loadConfig } from '../../../src/config';
import { LocalKeyProvider, UnknownKeyVersionError, fieldAad, openText, sealText, lookupHash } from '../../../src/keys';

const key = () => randomBytes(32).toString('base64');

describe('MASTER_KEYS', () => {
  it('parses versions newest first, and names a bad entry by position and version, never by value', () => {
    const [a, b] = [key(), key()];
    const { keys, problems } = parseMasterKeys(`v2:${a}, v1:${b}`);
    expect(problems).toEqual([]);
    expect(keys.map((k) => k.version)).toEqual(['v2', 'v1']);
    expect(String(keys[0]!.key)).toBe('[secret]');

    const short = Buffer.alloc(16).toString('base64');
    const bad = parseMasterKeys(`v2:${a},v2:${b},x:${a},v3:${short}`);
    expect(bad.problems).toEqual([
      'MASTER_KEYS entry 2 (v2): version v2 is listed twice',
      'MASTER_KEYS entry 3: must start with a version such as v1: followed by the key',
      'MASTER_KEYS entry 4 (v3): the key must be 32 random bytes in base64 (openssl rand -base64 32)',
    ]);
    expect(bad.problems.join()).not.toContain(a);
  });

  it('is required in production and derived from SECRET_KEY elsewhere', () => {
    const env = { SECRET_KEY: 's'.repeat(40), ADMIN_TOKEN: 'a'.repeat(40) };
    expect(() => loadConfig({ ...env, NODE_ENV: 'production' })).toThrow(/MASTER_KEYS: required when NODE_ENV=production/);
    const dev = loadConfig({ ...env, NODE_ENV: 'development' });
    expect(dev.config.MASTER_KEYS.map((k) => k.version)).toEqual(['v1']);
    expect(dev.warnings.join()).toMatch(/MASTER_KEYS is unset/);
    // The same SECRET_KEY derives the same key: data written in one development run opens in the next.
    expect(loadConfig({ ...env, NODE_ENV: 'development' }).config.MASTER_KEYS[0]!.key.reveal()).toBe(dev.config.MASTER_KEYS[0]!.key.reveal());
  });
});

describe('LocalKeyProvider', () => {
  it('wraps under the newest version and unwraps any listed one, for the same context only', async () => {
    const [v1, v2] = [{ version: 'v1', key: key() }, { version: 'v2', key: key() }];
    const asKeys = (ks: Array<{ version: string; key: string }>) => parseMasterKeys(ks.map((k) => `${k.version}:${k.key}`).join(',')).keys;
    const old = new LocalKeyProvider(asKeys([v1]));
    const dek = randomBytes(32);
    const wrapped = await old.wrap(dek, 'customer:a');
    expect(wrapped.version).toBe('v1');

    const rotated = new LocalKeyProvider(asKeys([v2, v1]));
    expect(rotated.currentVersion).toBe('v2');
    expect(await rotated.unwrap(wrapped, 'customer:a')).toEqual(dek);
    expect((await rotated.wrap(dek, 'customer:a')).version).toBe('v2');
    await expect(rotated.unwrap(wrapped, 'customer:b')).rejects.toThrow();
    await expect(new LocalKeyProvider(asKeys([v2])).unwrap(wrapped, 'customer:a')).rejects.toBeInstanceOf(UnknownKeyVersionError);
  });
});

describe('sealed fields', () => {
  const k = randomBytes(32);

  it('open only under the same key, for the same table, column and row', () => {
    const box = sealText(k, fieldAad('profile', 'email', 'row-1'), 'alice@example.com');
    expect(box.startsWith('ef1.')).toBe(true);
    expect(box).not.toContain('alice');
    expect(sealText(k, fieldAad('profile', 'email', 'row-1'), 'alice@example.com')).not.toBe(box);
    expect(openText(k, fieldAad('profile', 'email', 'row-1'), box)).toBe('alice@example.com');
    expect(() => openText(k, fieldAad('profile', 'email', 'row-2'), box)).toThrow();
    expect(() => openText(k, fieldAad('profile', 'fullname', 'row-1'), box)).toThrow();
    expect(() => openText(randomBytes(32), fieldAad('profile', 'email', 'row-1'), box)).toThrow();
    const tampered = box.slice(0, -2) + (box.endsWith('A') ? 'BB' : 'AA');
    expect(() => openText(k, fieldAad('profile', 'email', 'row-1'), tampered)).toThrow();
  });

  it('look up by keyed hashes that differ per customer key and per kind', () => {
    const other = randomBytes(32);
    expect(lookupHash(k, 'email', 'a@example.com')).toBe(lookupHash(k, 'email', 'a@example.com'));
    expect(lookupHash(k, 'email', 'a@example.com')).not.toBe(lookupHash(other, 'email', 'a@example.com'));
    expect(lookupHash(k, 'email', 'a@example.com')).not.toBe(lookupHash(k, 'username', 'a@example.com'));
  });
});
