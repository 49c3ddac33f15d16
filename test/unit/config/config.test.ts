import { inspect } from 'node:util';
import { ConfigError, describeConfig, loadConfig } from '../../../src/config';

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const { config } = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      ROLE: 'all',
      DATABASE_URL: 'postgres://ids_app@127.0.0.1:5432/identity',
      MIGRATION_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/identity',
      REDIS_URL: 'redis://127.0.0.1:6379',
      LOG_LEVEL: 'info',
      PUBLIC_URL: 'http://127.0.0.1:3000',
    });
    expect(loadConfig({ PORT: '8080' }).config.PUBLIC_URL).toBe('http://127.0.0.1:8080');
    expect(loadConfig({ PUBLIC_URL: 'https://id.example.net/' }).config.PUBLIC_URL).toBe('https://id.example.net');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', ROLE: 'everything', PUBLIC_URL: 'not a url' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const fields = (error as ConfigError).problems.map((p) => p.split(/[: ]/)[0]);
    expect([...new Set(fields)].sort()).toEqual(['PORT', 'PUBLIC_URL', 'ROLE']);
  });

  it('refuses OpenID Connect signing keys unpublished before the ID tokens they signed expire', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (err) {
        return err instanceof ConfigError ? err.problems : [String(err)];
      }
    };
    expect(problems({ OIDC_ID_TOKEN_TTL_SECONDS: '7200', OIDC_KEY_RETIRED_SECONDS: '3600' }).some((p) => p.startsWith('OIDC_KEY_RETIRED_SECONDS:'))).toBe(true);
    expect(problems({ OIDC_ID_TOKEN_TTL_SECONDS: '3600', OIDC_KEY_RETIRED_SECONDS: '3600' })).toEqual([]);
  });

  it('requires SECRET_KEY and ADMIN_TOKEN in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/ADMIN_TOKEN: required[\s\S]*SECRET_KEY: required|SECRET_KEY: required[\s\S]*ADMIN_TOKEN: required/);
  });

  it('generates development secrets and says so, never printing them (the start-up lines show the admin token)', () => {
    const { config, warnings, isAdminTokenGenerated } = loadConfig({});
    expect(config.SECRET_KEYS.all).toHaveLength(1);
    expect(config.SECRET_KEYS.current.secret.reveal()).toHaveLength(43);
    expect(isAdminTokenGenerated).toBe(true);
    expect(warnings.join('\n')).toContain('ADMIN_TOKEN is unset; generated one for this run');
    expect(warnings.join('\n')).not.toContain(config.ADMIN_TOKEN.reveal());
    expect(warnings.join('\n')).not.toContain(config.SECRET_KEYS.current.secret.reveal());
    expect(loadConfig({ ADMIN_TOKEN: 'a'.repeat(40) }).isAdminTokenGenerated).toBe(false);
  });

  it('never prints secrets when the config is logged or serialised', () => {
    const secret = 's'.repeat(40);
    const { config } = loadConfig({ SECRET_KEY: secret, ADMIN_TOKEN: 'a'.repeat(40) });
    expect(JSON.stringify(config)).not.toContain(secret);
    expect(inspect(config)).not.toContain(secret);
    expect(`${config.SECRET_KEYS.current.secret}`).toBe('[secret]');
    const rotated = loadConfig({ SECRET_KEYS: `v2:${'n'.repeat(40)},v1:${secret}`, ADMIN_TOKEN: 'a'.repeat(40) }).config;
    expect(JSON.stringify(rotated)).not.toMatch(/nnnn|ssss/);
    expect(inspect(rotated, { depth: 10 })).not.toMatch(/nnnn|ssss/);
  });

  it('documents every variable with a description', () => {
    const rows = describeConfig();
    expect(rows.map(([name]) => name)).toEqual(expect.arrayContaining(['PUBLIC_URL', 'PORT', 'DATABASE_URL', 'REDIS_URL', 'ROLE', 'LOG_LEVEL', 'ADMIN_TOKEN', 'SECRET_KEY', 'SECRET_KEYS']));
    for (const [name, , description] of rows) expect(`${name}: ${description}`).not.toMatch(/: $/);
  });

  describe('SECRET_KEYS', () => {
    const v1 = 'first-secret-0123456789abcdef0123456789';
    const v2 = 'second-secret-0123456789abcdef012345678';
    const problemsOf = (env: Record<string, string>): string[] => {
      try {
        loadConfig({ ADMIN_TOKEN: 'a'.repeat(40), ...env });
      } catch (err) {
        if (err instanceof ConfigError) return err.problems;
        throw err;
      }
      return [];
    };

    it('reads versions newest first: the first makes, all check, the last keys stable identifiers', () => {
      const ring = loadConfig({ SECRET_KEYS: `v2:${v2}, v1:${v1}` }).config.SECRET_KEYS;
      expect(ring.all.map((v) => [v.version, v.secret.reveal()])).toEqual([['v2', v2], ['v1', v1]]);
      expect(ring.current.version).toBe('v2');
      expect(ring.stable.version).toBe('v1');
    });

    it('stages a newer version listed after the one in use: accepted, not yet used, and not the stable one', () => {
      const ring = loadConfig({ SECRET_KEYS: `v1:${v1},v2:${v2}` }).config.SECRET_KEYS;
      expect(ring.all.map((v) => v.version)).toEqual(['v1', 'v2']);
      expect(ring.current.version).toBe('v1');
      expect(ring.stable.version).toBe('v1');
      expect(loadConfig({ SECRET_KEYS: `v3:${v2},v1:${v1},v2:${v2}x` }).config.SECRET_KEYS.stable.version).toBe('v1');
    });

    it('derives the development MASTER_KEYS from the stable version, so a rotation leaves it alone', () => {
      const before = loadConfig({ SECRET_KEY: v1 }).config.MASTER_KEYS[0]!.key.reveal();
      expect(loadConfig({ SECRET_KEYS: `v2:${v2},v1:${v1}` }).config.MASTER_KEYS[0]!.key.reveal()).toBe(before);
      expect(loadConfig({ SECRET_KEYS: `v2:${v2}` }).config.MASTER_KEYS[0]!.key.reveal()).not.toBe(before);
    });

    it('takes SECRET_KEY as the single version v1, and accepts both when SECRET_KEYS calls it v1', () => {
      const single = loadConfig({ SECRET_KEY: v1 }).config.SECRET_KEYS;
      expect(single.all.map((v) => [v.version, v.secret.reveal()])).toEqual([['v1', v1]]);
      expect(loadConfig({ SECRET_KEY: v1, SECRET_KEYS: `v2:${v2},v1:${v1}` }).config.SECRET_KEYS.current.version).toBe('v2');
    });

    it('refuses SECRET_KEY beside a SECRET_KEYS whose v1 is another secret (or missing)', () => {
      expect(problemsOf({ SECRET_KEY: v1, SECRET_KEYS: `v2:${v2}` })).toEqual([expect.stringMatching(/^SECRET_KEY: set together with SECRET_KEYS, it must equal SECRET_KEYS' v1/)]);
      expect(problemsOf({ SECRET_KEY: v1, SECRET_KEYS: `v2:${v1},v1:${v2}` })).toHaveLength(1);
    });

    it.each([
      ['an empty entry', `v2:${v2},`, /^SECRET_KEYS: entry 2 of 2 is empty/],
      ['an entry without a version', v2, /^SECRET_KEYS: entry 1 of 1 must be <version>:<secret> with a version like v2$/],
      ['a version that is not v<digits>', `2:${v2}`, /^SECRET_KEYS: entry 1 of 1 must be <version>:<secret>/],
      ['a short secret', `v2:short,v1:${v1}`, /^SECRET_KEYS: the secret of v2 must be at least 32 characters$/],
      ['a version listed twice', `v1:${v2},v1:${v1}`, /^SECRET_KEYS: v1 is listed more than once$/],
    ])('stops start-up on %s, naming the problem and never the secret', (_label, value, message) => {
      const problems = problemsOf({ SECRET_KEYS: value });
      expect(problems).toEqual([expect.stringMatching(message)]);
      expect(problems.join('\n')).not.toMatch(/first-secret|second-secret/);
    });

    it('is required (or SECRET_KEY) in production', () => {
      const secretProblems = (env: Record<string, string>) => problemsOf({ NODE_ENV: 'production', ...env }).filter((p) => p.startsWith('SECRET_KEY'));
      expect(secretProblems({})).toEqual([expect.stringMatching(/^SECRET_KEY: required when NODE_ENV=production \(or SECRET_KEYS\)$/)]);
      expect(secretProblems({ SECRET_KEYS: `v1:${v1}` })).toEqual([]);
    });
  });
});
