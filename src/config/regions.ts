/**
 * Data residency (issue 18): the regions a deployment serves and where each keeps its data. Every
 * region has a PostgreSQL database of its own (the whole schema, migrated alike) and its own queues;
 * a person's data lives only in the database of their customer's region.
 *
 * Configuration: `REGIONS` names the regions served, the first being the deployment's home region
 * (where platform data lives: platform operator tokens, the platform's audit chain, purge runs).
 * Each region reads `DATABASE_URL_<REGION>`, `PLATFORM_DATABASE_URL_<REGION>`,
 * `MIGRATION_DATABASE_URL_<REGION>` and optionally `REDIS_URL_<REGION>`; the home region falls back
 * to the unsuffixed `DATABASE_URL`, `PLATFORM_DATABASE_URL`, `MIGRATION_DATABASE_URL` and `REDIS_URL`,
 * so a one-region deployment is configured exactly as before.
 */
export const REGION_NAMES = ['EU', 'NA', 'APAC'] as const;
export type RegionName = (typeof REGION_NAMES)[number];

export interface RegionSettings {
  readonly region: RegionName;
  readonly databaseUrl: string;
  readonly platformDatabaseUrl: string;
  readonly migrationDatabaseUrl: string;
  readonly redisUrl: string;
  /**
   * Prefix of this region's BullMQ keys, a Redis Cluster hash tag (issue 20): `{QUEUE_PREFIX}` for a
   * one-region deployment, else `{QUEUE_PREFIX-<region>}`. BullMQ's scripts touch several keys of a
   * queue at once, which a cluster allows only when they hash to one slot: the part in braces decides it.
   */
  readonly queuePrefix: string;
}

interface Fallbacks {
  DATABASE_URL: string;
  PLATFORM_DATABASE_URL: string;
  MIGRATION_DATABASE_URL: string;
  REDIS_URL: string;
  QUEUE_PREFIX: string;
}

/** Parses `REGIONS` and each region's URLs; every problem is reported, none thrown. */
export function parseRegions(list: string, env: Record<string, string | undefined>, fallbacks: Fallbacks): { regions: RegionSettings[]; problems: string[] } {
  const problems: string[] = [];
  const names = list
    .split(',')
    .map((name) => name.trim().toUpperCase())
    .filter((name) => name !== '');
  const regions: RegionSettings[] = [];
  if (names.length === 0) problems.push(`REGIONS: name at least one region (${REGION_NAMES.join(', ')})`);
  for (const [at, name] of names.entries()) {
    if (!(REGION_NAMES as readonly string[]).includes(name)) {
      problems.push(`REGIONS: unknown region ${JSON.stringify(name)} (known: ${REGION_NAMES.join(', ')})`);
      continue;
    }
    if (names.indexOf(name) !== at) {
      problems.push(`REGIONS: ${name} is listed twice`);
      continue;
    }
    const isHome = at === 0;
    const url = (key: keyof Fallbacks & string, required: boolean): string => {
      const value = env[`${key}_${name}`];
      if (value !== undefined && value !== '') {
        if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) problems.push(`${key}_${name}: must be a URL`);
        return value;
      }
      if (isHome || !required) return fallbacks[key];
      problems.push(`${key}_${name}: required, since REGIONS serves ${name} beside ${names[0]} (each region has a database of its own)`);
      return '';
    };
    regions.push({
      region: name as RegionName,
      databaseUrl: url('DATABASE_URL', true),
      platformDatabaseUrl: url('PLATFORM_DATABASE_URL', true),
      migrationDatabaseUrl: url('MIGRATION_DATABASE_URL', true),
      // Queues may share one Redis: the prefix keeps each region's jobs apart.
      redisUrl: url('REDIS_URL', false),
      queuePrefix: `{${names.length === 1 ? fallbacks.QUEUE_PREFIX : `${fallbacks.QUEUE_PREFIX}-${name.toLowerCase()}`}}`,
    });
  }
  const databases = new Map<string, string>();
  for (const region of regions) {
    const seen = databases.get(region.databaseUrl);
    if (seen) problems.push(`DATABASE_URL_${region.region}: the same database as ${seen}'s; each region needs a database of its own`);
    databases.set(region.databaseUrl, region.region);
  }
  return { regions, problems };
}

/**
 * The prefix of a region's other Redis keys (abuse counters, client assertion ids): its queue prefix
 * without the hash tag, as before issue 20, so those single-key counters keep their names and spread
 * over the whole cluster instead of crowding the queues' slot.
 */
export function plainKeyPrefix(queuePrefix: string): string {
  return queuePrefix.replace(/^\{(.*)\}$/, '$1');
}
