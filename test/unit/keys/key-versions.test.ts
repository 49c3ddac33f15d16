import { describeVersions, summarizeVersions } from '../../../src/keys/key-versions';

describe('where a KEK rotation stands', () => {
  it('counts keys still on older versions and names no version removable while it wraps a key', () => {
    const summary = summarizeVersions('v3', ['v3', 'v2', 'v1'], [
      { version: 'v1', customerKeys: 2 },
      { version: 'v3', customerKeys: 5 },
    ]);
    expect(summary.versions).toEqual([
      { version: 'v3', customerKeys: 5, isConfigured: true, isCurrent: true },
      { version: 'v2', customerKeys: 0, isConfigured: true, isCurrent: false },
      { version: 'v1', customerKeys: 2, isConfigured: true, isCurrent: false },
    ]);
    expect(summary).toMatchObject({ pendingKeys: 2, removableVersions: ['v2'], unconfiguredVersions: [] });
    expect(describeVersions(summary)).toEqual([
      'v3 (current) wraps 5 customer keys',
      'v2 wraps no key any more: remove it from MASTER_KEYS',
      'v1 still wraps 2 customer keys: keep it in MASTER_KEYS and run the rotation again',
    ]);
  });

  it('never offers the current version for removal, even when it wraps nothing yet', () => {
    const summary = summarizeVersions('v2', ['v2', 'v1'], [{ version: 'v1', customerKeys: 1 }]);
    expect(summary.removableVersions).toEqual([]);
    expect(describeVersions(summary)[0]).toBe('v2 (current) wraps 0 customer keys');
  });

  it('names a version that wraps keys but is not configured, after the configured ones', () => {
    const summary = summarizeVersions('v2', ['v2'], [
      { version: 'v0', customerKeys: 1 },
      { version: 'v2', customerKeys: 3 },
    ]);
    expect(summary.versions.map((v) => v.version)).toEqual(['v2', 'v0']);
    expect(summary).toMatchObject({ pendingKeys: 1, removableVersions: [], unconfiguredVersions: ['v0'] });
    expect(describeVersions(summary)[1]).toBe("v0 wraps 1 customer key but is not in MASTER_KEYS: those customers' data cannot be read until it is added back");
  });
});
