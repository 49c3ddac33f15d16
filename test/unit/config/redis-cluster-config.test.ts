import { ConfigError, loadConfig, plainKeyPrefix } from '../../../src/config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('Redis Cluster settings (issue 20)', () => {
  it('is off by default and on only for the literal true', () => {
    expect(loadConfig({}).config.REDIS_CLUSTER).toBe(false);
    expect(loadConfig({ REDIS_CLUSTER: 'true' }).config.REDIS_CLUSTER).toBe(true);
    expect(problemsOf({ REDIS_CLUSTER: 'yes' })).toEqual([expect.stringMatching(/^REDIS_CLUSTER: /)]);
  });

  it('puts the queue prefix in a hash tag, one per region, and keeps the other keys\' prefix bare', () => {
    expect(loadConfig({ QUEUE_PREFIX: 'acme' }).config.regions.map((r) => r.queuePrefix)).toEqual(['{acme}']);
    const twoRegions = loadConfig({
      QUEUE_PREFIX: 'acme',
      REGIONS: 'EU,NA',
      DATABASE_URL_NA: 'postgres://ids_app@na/identity',
      PLATFORM_DATABASE_URL_NA: 'postgres://ids_platform@na/identity',
      MIGRATION_DATABASE_URL_NA: 'postgres://postgres@na/identity',
    });
    expect(twoRegions.config.regions.map((r) => r.queuePrefix)).toEqual(['{acme-eu}', '{acme-na}']);
    expect(plainKeyPrefix('{acme-na}')).toBe('acme-na');
    expect(plainKeyPrefix('acme')).toBe('acme');
  });

  it('refuses a QUEUE_PREFIX with braces or spaces: a tag of the operator\'s would split or nest the service\'s own', () => {
    for (const prefix of ['{ids}', 'a}b', 'ids{x', 'my ids']) {
      expect(problemsOf({ QUEUE_PREFIX: prefix })).toEqual(['QUEUE_PREFIX: must not contain braces or spaces (the service adds the hash tag itself)']);
    }
  });
});
