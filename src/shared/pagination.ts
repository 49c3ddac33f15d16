import { ValidationError } from './errors';
import { isUuid } from './ids';

export const MAX_PAGE_SIZE = 100;

/** Position in a list ordered by (createdAt, id); opaque to clients. */
export interface Cursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(value: string, field = 'after'): Cursor {
  const decoded = Buffer.from(value, 'base64url').toString('utf8');
  const [at, id, extra] = decoded.split('|');
  const createdAt = new Date(at ?? '');
  if (extra !== undefined || !id || Number.isNaN(createdAt.getTime()) || !isUuid(id)) {
    throw new ValidationError(field, 'cursor is not one this API handed out');
  }
  return { createdAt, id };
}

export function checkPageSize(first: number, field = 'first'): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new ValidationError(field, `${field} must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return first;
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** Turns `first + 1` fetched rows into a page, using the extra row only to learn whether more follow. */
export function toPage<T extends Cursor>(rows: T[], first: number): Page<T> {
  const items = rows.slice(0, first);
  const last = items[items.length - 1];
  return { items, hasNextPage: rows.length > first, endCursor: last ? encodeCursor(last) : null };
}

/**
 * The filter that continues a list ordered by (`field`, id) after `after`, in either direction,
 * or an empty filter for the first page.
 */
export function afterCursor(after: string | null | undefined, field: string, direction: 'asc' | 'desc'): Record<string, unknown> {
  if (!after) return {};
  const cursor = decodeCursor(after);
  const beyond = direction === 'asc' ? '$gt' : '$lt';
  return { $or: [{ [field]: { [beyond]: cursor.createdAt } }, { [field]: cursor.createdAt, id: { [beyond]: cursor.id } }] };
}

/**
 * A page with some of its rows withheld (a restricted person's, asked for by name), whose page info
 * says nothing of them either: the end cursor is the last row shown (null when none is), and no
 * further page is announced when every row was withheld. Without this the cursor of a page whose
 * rows were all dropped would still carry the time of the withheld person's latest row.
 */
export function withheldFrom<T>(page: Page<T>, shown: (item: T) => boolean, cursorOf: (item: T) => Cursor): Page<T> {
  const items = page.items.filter(shown);
  if (items.length === page.items.length) return page;
  const last = items[items.length - 1];
  return { items, hasNextPage: last !== undefined && page.hasNextPage, endCursor: last ? encodeCursor(cursorOf(last)) : null };
}
