import { isUuid, timeOrderedUuid } from '../../../src/shared/ids';

describe('timeOrderedUuid (UUID version 7)', () => {
  it('is a UUID of version 7 and the RFC 9562 variant, with the time in its first 48 bits', () => {
    const at = Date.UTC(2026, 11, 2, 8, 0, 0);
    const id = timeOrderedUuid(at + 1_000_000);
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThanOrEqual(at + 1_000_000);
  });

  it('sorts in creation order, within one millisecond too, and never repeats', () => {
    const at = Date.now() + 2_000_000;
    const ids = [timeOrderedUuid(at), timeOrderedUuid(at), timeOrderedUuid(at), timeOrderedUuid(at + 1), timeOrderedUuid(at + 1)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps the order past 4,096 ids in one millisecond, and when the clock steps back', () => {
    const at = Date.now() + 3_000_000;
    const ids = Array.from({ length: 5000 }, () => timeOrderedUuid(at));
    ids.push(timeOrderedUuid(at - 10));
    expect([...ids].sort()).toEqual(ids);
  });
});
