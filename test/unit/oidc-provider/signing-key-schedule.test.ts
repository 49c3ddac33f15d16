import { firstKeyDates, isPublished, isSigning, KeySchedule, keyStatus, rotationPlan, signingKey } from '../../../src/oidc-provider/signing-key-schedule';

const T0 = new Date('2026-12-04T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const key = (alg: 'ES256' | 'RS256', created: number, activates: number, retires: number | null, expires: number | null): KeySchedule & { name: string } => ({
  name: `${alg}@${created}`,
  alg,
  createdAt: at(created),
  activatesAt: at(activates),
  retiresAt: retires === null ? null : at(retires),
  expiresAt: expires === null ? null : at(expires),
});

describe('signing key schedule', () => {
  const old = key('ES256', 0, 0, 100, 200);
  const next = key('ES256', 40, 100, null, null);

  it.each([
    [-1, 'EXPIRED', 'EXPIRED'],
    [0, 'ACTIVE', 'EXPIRED'],
    [40, 'ACTIVE', 'PUBLISHED'],
    [99, 'ACTIVE', 'PUBLISHED'],
    [100, 'RETIRED', 'ACTIVE'],
    [199, 'RETIRED', 'ACTIVE'],
    [200, 'EXPIRED', 'ACTIVE'],
  ])('at %ss the old key is %s and the next %s (bounds: from inclusive, until exclusive)', (s, oldStatus, nextStatus) => {
    expect(keyStatus(old, at(s))).toBe(oldStatus);
    expect(keyStatus(next, at(s))).toBe(nextStatus);
  });

  it('signs with exactly one key at every instant of a rotation, switching at the activation', () => {
    for (const s of [0, 39, 40, 99]) expect(signingKey([old, next], 'ES256', at(s))?.name).toBe(old.name);
    for (const s of [100, 150, 500]) expect(signingKey([old, next], 'ES256', at(s))?.name).toBe(next.name);
    for (const s of [0, 100, 500]) expect([old, next].filter((k) => isSigning(k, at(s)))).toHaveLength(1);
  });

  it('picks by algorithm, and the newest activation when several could sign', () => {
    const rsa = key('RS256', 0, 0, null, null);
    const overlapping = key('ES256', 10, 50, null, null);
    expect(signingKey([old, rsa], 'RS256', at(10))?.name).toBe(rsa.name);
    expect(signingKey([old, overlapping], 'ES256', at(60))?.name).toBe(overlapping.name);
    expect(signingKey([rsa], 'ES256', at(10))).toBeNull();
  });

  it('never signs with a key past its expiry, even one never retired', () => {
    const odd = key('ES256', 0, 0, null, 50);
    expect(isSigning(odd, at(50))).toBe(false);
    expect(isPublished(odd, at(50))).toBe(false);
  });

  it('plans a rotation: published now, signing after the publish delay, the old key retiring then and expiring after the retired period', () => {
    const plan = rotationPlan(at(10), { publishSeconds: 3600, retiredSeconds: 86400 });
    expect(plan.next).toEqual({ createdAt: at(10), activatesAt: at(3610), retiresAt: null, expiresAt: null });
    expect(plan.retiresAt).toEqual(at(3610));
    expect(plan.expiresAt).toEqual(at(3610 + 86400));
    expect(rotationPlan(at(10), { publishSeconds: 0, retiredSeconds: 60 }).next.activatesAt).toEqual(at(10));
    expect(firstKeyDates(at(5))).toEqual({ createdAt: at(5), activatesAt: at(5), retiresAt: null, expiresAt: null });
  });
});
