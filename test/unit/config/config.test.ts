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
    const fields = (error as ConfigError).problems.map((p) => p.split(':')[0]);
    expect([...new Set(fields)].sort()).toEqual(['PORT', 'PUBLIC_URL', 'ROLE']);
  });

  it('requires SECRET_KEY and ADMIN_TOKEN in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/ADMIN_TOKEN: required[\s\S]*SECRET_KEY: required|SECRET_KEY: required[\s\S]*ADMIN_TOKEN: required/);
  });

  it('generates development secrets and says so, printing the admin token but not the secret key', () => {
    const { config, warnings } = loadConfig({});
    expect(config.SECRET_KEY.reveal()).toHaveLength(43);
    expect(warnings.join('\n')).toContain(config.ADMIN_TOKEN.reveal());
    expect(warnings.join('\n')).not.toContain(config.SECRET_KEY.reveal());
  });

  it('never prints secrets when the config is logged or serialised', () => {
    const secret = 's'.repeat(40);
    const { config } = loadConfig({ SECRET_KEY: secret, ADMIN_TOKEN: 'a'.repeat(40) });
    expect(JSON.stringify(config)).not.toContain(secret);
    expect(inspect(config)).not.toContain(secret);
    expect(`${config.SECRET_KEY}`).toBe('[secret]');
  });

  it('documents every variable with a description', () => {
    const rows = describeConfig();
    expect(rows.map(([name]) => name)).toEqual(expect.arrayContaining(['PUBLIC_URL', 'PORT', 'DATABASE_URL', 'REDIS_URL', 'ROLE', 'LOG_LEVEL', 'ADMIN_TOKEN', 'SECRET_KEY']));
    for (const [name, , description] of rows) expect(`${name}: ${description}`).not.toMatch(/: $/);
  });
});
