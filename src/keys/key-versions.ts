/**
 * Where a KEK rotation stands, from the versions configured and how many customer keys each version
 * wraps: pure, so the CLI's sentences and the GraphQL answer come from one place.
 */

export interface KeyVersionUse {
  version: string;
  /** Customer keys this version wraps. */
  customerKeys: number;
  isConfigured: boolean;
  isCurrent: boolean;
}

export interface KeyVersionSummary {
  /** The version new wraps and re-wraps use (the first of MASTER_KEYS). */
  currentVersion: string;
  /** Every configured version, newest first. */
  configuredVersions: readonly string[];
  /** Every configured version and every version some key is wrapped by, configured ones first (newest first), then the others. */
  versions: KeyVersionUse[];
  /** Configured older versions that wrap no key: they can be removed from MASTER_KEYS. */
  removableVersions: string[];
  /** Versions that wrap keys but are not configured: those customers' data cannot be read. */
  unconfiguredVersions: string[];
  /** Customer keys not yet on the current version. */
  pendingKeys: number;
}

export function summarizeVersions(currentVersion: string, configured: readonly string[], counts: ReadonlyArray<{ version: string; customerKeys: number }>): KeyVersionSummary {
  const byVersion = new Map(counts.map((c) => [c.version, c.customerKeys]));
  const others = counts.map((c) => c.version).filter((v) => !configured.includes(v)).sort();
  const versions = [...configured, ...others].map((version) => ({
    version,
    customerKeys: byVersion.get(version) ?? 0,
    isConfigured: configured.includes(version),
    isCurrent: version === currentVersion,
  }));
  return {
    currentVersion,
    configuredVersions: [...configured],
    versions,
    removableVersions: versions.filter((v) => v.isConfigured && !v.isCurrent && v.customerKeys === 0).map((v) => v.version),
    unconfiguredVersions: versions.filter((v) => !v.isConfigured && v.customerKeys > 0).map((v) => v.version),
    pendingKeys: versions.filter((v) => !v.isCurrent).reduce((sum, v) => sum + v.customerKeys, 0),
  };
}

/** What an operator should do about each version, one sentence each (the CLI's last lines). */
export function describeVersions(summary: KeyVersionSummary): string[] {
  const lines: string[] = [];
  for (const v of summary.versions) {
    const keys = `${v.customerKeys} customer key${v.customerKeys === 1 ? '' : 's'}`;
    if (v.isCurrent) lines.push(`${v.version} (current) wraps ${keys}`);
    else if (!v.isConfigured) lines.push(`${v.version} wraps ${keys} but is not in MASTER_KEYS: those customers' data cannot be read until it is added back`);
    else if (v.customerKeys === 0) lines.push(`${v.version} wraps no key any more: remove it from MASTER_KEYS`);
    else lines.push(`${v.version} still wraps ${keys}: keep it in MASTER_KEYS and run the rotation again`);
  }
  return lines;
}
