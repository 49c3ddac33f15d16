import { randomBytes } from 'node:crypto';
import { ZodError } from 'zod';
import { configSchema, RawConfig } from './config.schema';
import { derivedMasterKey, MasterKey, parseMasterKeys } from './master-keys';
import { Secret } from './secret';

export interface Config extends Readonly<Omit<RawConfig, 'ADMIN_TOKEN' | 'SECRET_KEY' | 'PUBLIC_URL' | 'MASTER_KEYS'>> {
  /** Without a trailing slash. */
  readonly PUBLIC_URL: string;
  readonly ADMIN_TOKEN: Secret;
  readonly SECRET_KEY: Secret;
  /** The key-encryption keys, newest first (never empty). */
  readonly MASTER_KEYS: readonly MasterKey[];
}

export interface LoadedConfig {
  config: Config;
  /** Things the operator should know, such as generated development secrets. */
  warnings: string[];
}

/** Every problem in the environment, reported together so one start-up fixes them all. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment once. In development a missing SECRET_KEY or ADMIN_TOKEN is generated and
 * reported as a warning; in production both must be given.
 */
export function loadConfig(env: Record<string, string | undefined>): LoadedConfig {
  let raw: RawConfig;
  try {
    raw = configSchema.parse(env);
  } catch (err) {
    if (err instanceof ZodError) {
      throw new ConfigError(err.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
    }
    throw err;
  }
  const warnings: string[] = [];
  const problems: string[] = [];
  const secret = (name: 'ADMIN_TOKEN' | 'SECRET_KEY'): Secret => {
    const value = raw[name];
    if (value) return new Secret(value);
    if (raw.NODE_ENV === 'production') {
      problems.push(`${name}: required when NODE_ENV=production`);
      return new Secret('');
    }
    const generated = randomBytes(32).toString('base64url');
    warnings.push(
      name === 'ADMIN_TOKEN'
        ? `ADMIN_TOKEN is unset; generated one for this run: ${generated}`
        : 'SECRET_KEY is unset; generated a random one for this run (cookies and keyed hashes will not survive a restart)',
    );
    return new Secret(generated);
  };
  const publicUrl = (raw.PUBLIC_URL ?? `http://${raw.HOST.includes(':') ? `[${raw.HOST}]` : raw.HOST}:${raw.PORT}`).replace(/\/+$/, '');
  const secretKey = secret('SECRET_KEY');
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
    return [derivedMasterKey(secretKey.reveal())];
  };
  const config: Config = Object.freeze({
    ...raw,
    PUBLIC_URL: publicUrl,
    ADMIN_TOKEN: secret('ADMIN_TOKEN'),
    SECRET_KEY: secretKey,
    MASTER_KEYS: Object.freeze(masterKeys()),
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, warnings };
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
