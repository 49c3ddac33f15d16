import { decodeCursor, encodeCursor, toPage } from '../../../src/shared/pagination';
import { ValidationError } from '../../../src/shared/errors';

describe('cursor pagination', () => {
  const row = (i: number) => ({ createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)), id: `00000000-0000-4000-8000-00000000000${i}` });

  it('round-trips a cursor', () => {
    expect(decodeCursor(encodeCursor(row(3)))).toEqual(row(3));
  });

  it.each(['', 'garbage', Buffer.from('2026-01-01T00:00:00.000Z|not-an-id').toString('base64url'), Buffer.from('x|y|z').toString('base64url')])(
    'refuses a cursor it did not hand out: %j',
    (value) => {
      expect(() => decodeCursor(value)).toThrow(ValidationError);
    },
  );

  it('uses the extra row only to tell whether more follow', () => {
    const page = toPage([row(1), row(2), row(3)], 2);
    expect(page.items).toEqual([row(1), row(2)]);
    expect(page.hasNextPage).toBe(true);
    expect(decodeCursor(page.endCursor!)).toEqual(row(2));
    expect(toPage([row(1)], 2)).toMatchObject({ hasNextPage: false });
    expect(toPage([], 2)).toEqual({ items: [], hasNextPage: false, endCursor: null });
  });
});
