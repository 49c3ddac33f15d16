import { parseRegions } from '../../../src/config/regions';
import { operationTargets } from '../../../src/graphql/platform-region';

const FALLBACKS = {
  DATABASE_URL: 'postgres://ids_app@db/identity',
  PLATFORM_DATABASE_URL: 'postgres://ids_platform@db/identity',
  MIGRATION_DATABASE_URL: 'postgres://postgres@db/identity',
  REDIS_URL: 'redis://redis:6379',
  QUEUE_PREFIX: 'ids',
};

describe('REGIONS', () => {
  it('serves one region on the unsuffixed URLs by default, with the queue prefix as a hash tag', () => {
    const { regions, problems } = parseRegions('EU', {}, FALLBACKS);
    expect(problems).toEqual([]);
    expect(regions).toEqual([{ region: 'EU', databaseUrl: FALLBACKS.DATABASE_URL, platformDatabaseUrl: FALLBACKS.PLATFORM_DATABASE_URL, migrationDatabaseUrl: FALLBACKS.MIGRATION_DATABASE_URL, redisUrl: FALLBACKS.REDIS_URL, queuePrefix: '{ids}' }]);
  });

  it('gives every other region its own databases and each region its own queue prefix', () => {
    const env = { DATABASE_URL_NA: 'postgres://ids_app@na/identity', PLATFORM_DATABASE_URL_NA: 'postgres://ids_platform@na/identity', MIGRATION_DATABASE_URL_NA: 'postgres://postgres@na/identity', REDIS_URL_NA: 'redis://na:6379' };
    const { regions, problems } = parseRegions('eu, na', env, FALLBACKS);
    expect(problems).toEqual([]);
    expect(regions.map((r) => [r.region, r.databaseUrl, r.redisUrl, r.queuePrefix])).toEqual([
      ['EU', FALLBACKS.DATABASE_URL, FALLBACKS.REDIS_URL, '{ids-eu}'],
      ['NA', env.DATABASE_URL_NA, env.REDIS_URL_NA, '{ids-na}'],
    ]);
  });

  it('reports every problem at once: unknown and repeated regions, missing and shared databases', () => {
    const { problems } = parseRegions('EU,MARS,EU,APAC,NA', { DATABASE_URL_NA: FALLBACKS.DATABASE_URL, PLATFORM_DATABASE_URL_NA: 'x', MIGRATION_DATABASE_URL_NA: 'postgres://p@na/i' }, FALLBACKS);
    expect(problems).toEqual([
      'REGIONS: unknown region "MARS" (known: EU, NA, APAC)',
      'REGIONS: EU is listed twice',
      expect.stringContaining('DATABASE_URL_APAC: required'),
      expect.stringContaining('PLATFORM_DATABASE_URL_APAC: required'),
      expect.stringContaining('MIGRATION_DATABASE_URL_APAC: required'),
      'PLATFORM_DATABASE_URL_NA: must be a URL',
      expect.stringContaining("DATABASE_URL_NA: the same database as EU's"),
    ]);
    expect(parseRegions(' , ', {}, FALLBACKS).problems).toEqual(['REGIONS: name at least one region (EU, NA, APAC)']);
  });
});

describe('the customers a platform operation names', () => {
  it('reads customerId arguments and input fields, customer ids and slugs, and createCustomer\'s region, through variables and fragments', () => {
    const query = `
      query Q($c: ID!, $f: ProfileFilter) { ...Root oauthClients(customerId: $c) { nodes { id } } profiles(filter: $f) { nodes { id } } }
      fragment Root on Query { customer(slug: "shop-na") { id } }
      mutation M { createCustomer(input: { slug: "x", name: "x", verifyUrl: "https://x.example/", region: APAC }) { apiKey } updateCustomer(id: "c-2", input: {}) { customer { id } } }`;
    expect(operationTargets({ query, operationName: 'Q', variables: { c: 'c-1', f: { customerId: 'c-3' } } })).toEqual({ customerIds: ['c-1', 'c-3'], slugs: ['shop-na'], regions: [] });
    expect(operationTargets({ query, operationName: 'M' })).toEqual({ customerIds: ['c-2'], slugs: [], regions: ['APAC'] });
  });

  it('names nothing for an operation about no customer, an unparsable body or an ambiguous operation', () => {
    const none = { customerIds: [], slugs: [], regions: [] };
    expect(operationTargets({ query: '{ me { kind } profile(id: "p-1") { id } }' })).toEqual(none);
    expect(operationTargets({ query: '{ oops' })).toEqual(none);
    expect(operationTargets({ query: 'query A { me { kind } } query B { customer(id: "c") { id } }' })).toEqual(none);
    expect(operationTargets('not an object')).toEqual(none);
  });
});
