import { randomBytes } from 'node:crypto';
import { ZodError, ZodIssue } from 'zod';
import { SecretKeyRing, secretKeyRing } from '../shared/secret-key-ring';
import { configSchema, RawConfig } from './config.schema';
import { derivedMasterKey, MasterKey, parseMasterKeys } from './master-keys';
import { Secret } from './secret';
import { parseRegions, RegionSettings } from './regions';
import { parseSecretKeys, SINGLE_SECRET_KEY_VERSION } from './secret-keys';

export interface Config extends Readonly<Omit<RawConfig, 'ADMIN_TOKEN' | 'SECRET_KEY' | 'SECRET_KEYS' | 'PUBLIC_URL' | 'MASTER_KEYS' | 'DIRECTORY_DATABASE_URL' | 'METRICS_TOKEN'>> {
  /** Without a trailing slash. */
  readonly PUBLIC_URL: string;
  readonly ADMIN_TOKEN: Secret;
  /** The bearer token of GET /metrics on the main port; null answers 404 there. */
  readonly METRICS_TOKEN: Secret | null;
  /** SECRET_KEYS, or SECRET_KEY as its single version v1. */
  readonly SECRET_KEYS: SecretKeyRing;
  /** The key-encryption keys, newest first (never empty). */
  readonly MASTER_KEYS: readonly MasterKey[];
  /** The regions served, home region first, each with its databases and queues (src/config/regions.ts). */
  readonly regions: readonly RegionSettings[];
  /** Where the customer directory lives (DIRECTORY_DATABASE_URL, or the home region's platform URL). */
  readonly DIRECTORY_DATABASE_URL: string;
}

export interface LoadedConfig {
  config: Config;
  /** Things the operator should know, such as generated development secrets. */
  warnings: string[];
  /** Whether ADMIN_TOKEN was generated for this run (development, unset): the start-up lines then show it. */
  isAdminTokenGenerated: boolean;
}

/** Every problem in the environment, reported together so one start-up fixes them all. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment once. In development a missing secret key (SECRET_KEYS or SECRET_KEY) or
 * ADMIN_TOKEN is generated and reported as a warning; in production both must be given.
 */
export function loadConfig(env: Record<string, string | undefined>): LoadedConfig {
  let raw: RawConfig;
  try {
    raw = configSchema.parse(env);
  } catch (err) {
    if (err instanceof ZodError) {
      throw new ConfigError(err.issues.map((issue) => describeIssue(issue, env)));
    }
    throw err;
  }
  const warnings: string[] = [];
  const problems: string[] = [];
  // A retired signing key must stay published as long as an ID token it signed can still be presented.
  if (raw.OIDC_KEY_RETIRED_SECONDS < raw.OIDC_ID_TOKEN_TTL_SECONDS) {
    problems.push(`OIDC_KEY_RETIRED_SECONDS: must be at least OIDC_ID_TOKEN_TTL_SECONDS (${raw.OIDC_ID_TOKEN_TTL_SECONDS}), or ID tokens would outlive the key that verifies them`);
  }
  let isAdminTokenGenerated = false;
  const adminToken = (): Secret => {
    if (raw.ADMIN_TOKEN) return new Secret(raw.ADMIN_TOKEN);
    if (raw.NODE_ENV === 'production') {
      problems.push('ADMIN_TOKEN: required when NODE_ENV=production');
      return new Secret('');
    }
    isAdminTokenGenerated = true;
    warnings.push('ADMIN_TOKEN is unset; generated one for this run (shown once the service listens)');
    return new Secret(randomBytes(32).toString('base64url'));
  };
  const secretKeys = (): SecretKeyRing => {
    const single = raw.SECRET_KEY === undefined ? null : new Secret(raw.SECRET_KEY);
    if (raw.SECRET_KEYS !== undefined) {
      const { versions, problems: found } = parseSecretKeys(raw.SECRET_KEYS);
      problems.push(...found);
      // Both set (say, while a deployment moves over): SECRET_KEY must be what SECRET_KEYS calls v1.
      if (single && versions.find((v) => v.version === SINGLE_SECRET_KEY_VERSION)?.secret.reveal() !== single.reveal()) {
        problems.push(`SECRET_KEY: set together with SECRET_KEYS, it must equal SECRET_KEYS' ${SINGLE_SECRET_KEY_VERSION} (SECRET_KEY=s means SECRET_KEYS=${SINGLE_SECRET_KEY_VERSION}:s); unset one of them`);
      }
      if (versions.length > 0) return secretKeyRing(versions);
    } else if (single) {
      return secretKeyRing([{ version: SINGLE_SECRET_KEY_VERSION, secret: single }]);
    } else if (raw.NODE_ENV === 'production') {
      problems.push('SECRET_KEY: required when NODE_ENV=production (or SECRET_KEYS)');
    } else {
      warnings.push('SECRET_KEY is unset; generated a random one for this run (cookies and keyed hashes will not survive a restart)');
    }
    return secretKeyRing([{ version: SINGLE_SECRET_KEY_VERSION, secret: new Secret(randomBytes(32).toString('base64url')) }]);
  };
  const publicUrl = (raw.PUBLIC_URL ?? `http://${raw.HOST.includes(':') ? `[${raw.HOST}]` : raw.HOST}:${raw.PORT}`).replace(/\/+$/, '');
  const serverSecrets = secretKeys();
  const masterKeys = (): MasterKey[] => {
    if (raw.MASTER_KEYS !== undefined) {
      const parsed = parseMasterKeys(raw.MASTER_KEYS);
      problems.push(...parsed.problems);
      return parsed.keys;
    }
    if (raw.NODE_ENV === 'production') {
      problems.push('MASTER_KEYS: required when NODE_ENV=production');
      return [];
    }
    if (raw.NODE_ENV !== 'test') warnings.push('MASTER_KEYS is unset; derived a v1 key-encryption key from SECRET_KEY (set MASTER_KEYS before production)');
    // From the stable (oldest) version, so a SECRET_KEYS rotation does not change the derived KEK.
    return [derivedMasterKey(serverSecrets.stable.secret.reveal())];
  };
  // The raw secrets stay out: only their wrapped or parsed forms below travel.
  const { SECRET_KEY: _single, SECRET_KEYS: _versions, MASTER_KEYS: _masters, ...plain } = raw;
  const { regions, problems: regionProblems } = parseRegions(raw.REGIONS, env, raw);
  problems.push(...regionProblems);
  const config: Config = Object.freeze({
    ...plain,
    regions: Object.freeze(regions),
    DIRECTORY_DATABASE_URL: raw.DIRECTORY_DATABASE_URL ?? regions[0]?.platformDatabaseUrl ?? raw.PLATFORM_DATABASE_URL,
    PUBLIC_URL: publicUrl,
    ADMIN_TOKEN: adminToken(),
    METRICS_TOKEN: raw.METRICS_TOKEN === undefined ? null : new Secret(raw.METRICS_TOKEN),
    SECRET_KEYS: serverSecrets,
    MASTER_KEYS: Object.freeze(masterKeys()),
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, warnings, isAdminTokenGenerated };
}

/** The documented variables as `[name, default, description]` rows (used for the README table). */
export function describeConfig(): Array<[string, string, string]> {
  return Object.entries(configSchema.shape).map(([name, schema]) => {
    // Walk through transforms and refinements to the default, wherever it sits.
    let def = schema._def as { defaultValue?: () => unknown; schema?: { _def: unknown }; innerType?: { _def: unknown } };
    while (!def.defaultValue && (def.schema || def.innerType)) def = (def.schema ?? def.innerType)!._def as typeof def;
    const value = def.defaultValue ? String(def.defaultValue()) : '';
    return [name, value, schema.description ?? ''];
  });
}

/**
 * One line per problem, `NAME: what is wrong`. A number that is no number at all reads
 * `PORT must be a number (got "abc")` rather than zod's "Expected number, received nan"; the value
 * is echoed only there, cut short, as no numeric variable holds a secret.
 */
function describeIssue(issue: ZodIssue, env: Record<string, string | undefined>): string {
  const name = issue.path.join('.');
  if (issue.code === 'invalid_type' && issue.expected === 'number' && issue.received === 'nan') {
    const given = String(env[name] ?? '');
    return `${name} must be a number (got ${JSON.stringify(given.length > 20 ? `${given.slice(0, 20)}…` : given)})`;
  }
  return `${name}: ${issue.message}`;
}
