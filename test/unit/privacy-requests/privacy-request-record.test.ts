import { PrivacyRequestStatus } from '../../../src/privacy-requests';
import { dueDateOf, isOverdueAt } from '../../../src/privacy-requests/privacy-request.record';

describe('privacy request due dates', () => {
  const received = new Date('2026-12-01T10:00:00.000Z');
  const due = dueDateOf(received);

  it('falls due 30 days after the request came in', () => {
    expect(due.toISOString()).toBe('2026-12-31T10:00:00.000Z');
  });

  it('is overdue only while still owed an answer, and only after its due date', () => {
    const after = new Date(due.getTime() + 1);
    for (const status of [PrivacyRequestStatus.PENDING_REVIEW, PrivacyRequestStatus.IN_PROGRESS]) {
      expect({ status, atDue: isOverdueAt(status, due, due), after: isOverdueAt(status, due, after) }).toEqual({ status, atDue: false, after: true });
    }
    for (const status of [PrivacyRequestStatus.COMPLETED, PrivacyRequestStatus.DECLINED]) expect(isOverdueAt(status, due, after)).toBe(false);
  });
});
