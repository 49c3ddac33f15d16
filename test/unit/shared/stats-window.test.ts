import { StatsRange, statsCustomerId, statsWindow } from '../../../src/shared/stats-window';
import { customerTenant, PLATFORM } from '../../../src/shared/tenant';

const ACME = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
const GLOBEX = '1b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';

describe('statsWindow', () => {
  it('ends with the hour now falls in and covers 24 whole UTC hours', () => {
    expect(statsWindow(StatsRange.LAST_24_HOURS, new Date('2026-12-03T14:59:59.999Z'))).toEqual({
      range: StatsRange.LAST_24_HOURS,
      since: new Date('2026-12-02T15:00:00Z'),
      until: new Date('2026-12-03T15:00:00Z'),
      hours: 24,
    });
  });

  it('starts a new last hour at the hour itself', () => {
    const window = statsWindow(StatsRange.LAST_24_HOURS, new Date('2026-12-03T15:00:00Z'));
    expect([window.since, window.until]).toEqual([new Date('2026-12-02T16:00:00Z'), new Date('2026-12-03T16:00:00Z')]);
  });

  it('covers 168 hours for 7 days', () => {
    const window = statsWindow(StatsRange.LAST_7_DAYS, new Date('2026-12-03T14:20:00Z'));
    expect(window).toMatchObject({ hours: 168, since: new Date('2026-11-26T15:00:00Z'), until: new Date('2026-12-03T15:00:00Z') });
  });
});

describe('statsCustomerId', () => {
  it('lets the platform name any customer, lower-cased', () => {
    expect(statsCustomerId(GLOBEX.toUpperCase(), PLATFORM)).toBe(GLOBEX);
  });

  it("lets a customer-bound caller name only its own customer; another is NOT_FOUND like a malformed id", () => {
    expect(statsCustomerId(ACME, customerTenant(ACME))).toBe(ACME);
    expect(() => statsCustomerId(GLOBEX, customerTenant(ACME))).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => statsCustomerId('acme', PLATFORM)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('refuses a caller bound to one user: customer-wide counts are other people\'s activity', () => {
    expect(() => statsCustomerId(ACME, customerTenant(ACME, 'alice'))).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });
});
