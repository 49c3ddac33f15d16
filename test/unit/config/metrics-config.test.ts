import { ConfigError, loadConfig } from '../../../src/config';

const BASE = { NODE_ENV: 'test', SECRET_KEY: 'k'.repeat(32), ADMIN_TOKEN: 'a'.repeat(32) };

describe('metrics configuration', () => {
  it('refuses a METRICS_TOKEN shorter than 32 characters, and starts nothing', () => {
    expect(() => loadConfig({ ...BASE, METRICS_TOKEN: 'short-token' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...BASE, METRICS_TOKEN: 'short-token' })).toThrow(/METRICS_TOKEN: must be at least 32 characters/);
  });

  it('keeps the token wrapped, so logging the config never prints it', () => {
    const token = 'm'.repeat(40);
    const { config } = loadConfig({ ...BASE, METRICS_TOKEN: token });
    expect(config.METRICS_TOKEN?.reveal()).toBe(token);
    expect(JSON.stringify(config)).not.toContain(token);
    expect(loadConfig(BASE).config.METRICS_TOKEN).toBeNull();
  });

  it('binds the metrics listener to loopback unless told otherwise, and only when METRICS_PORT is set', () => {
    const { config } = loadConfig(BASE);
    expect(config.METRICS_PORT).toBeUndefined();
    expect(config.METRICS_HOST).toBe('127.0.0.1');
    expect(() => loadConfig({ ...BASE, METRICS_PORT: 'abc' })).toThrow(/METRICS_PORT/);
  });
});
