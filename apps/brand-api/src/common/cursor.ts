import { DomainError } from '@app/http';

/**
 * Opaque list cursors: the id of the last item of a page, so the next page starts strictly after
 * it (stable under inserts and deletes, unlike offsets).
 */
export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId }), 'utf8').toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decodeCursor(cursor: string | undefined): string | null {
  if (cursor === undefined) return null;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string' && UUID.test(parsed.after)) return parsed.after;
  } catch {
    // reported below
  }
  throw new DomainError('VALIDATION_FAILED', 'invalid cursor', [{ field: 'cursor', message: 'is not a cursor returned by this API' }]);
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/** Builds a page from `limit + 1` rows fetched in id order. */
export function toPage<R extends { id: string }, T>(rows: R[], limit: number, view: (row: R) => T): Page<T> {
  const items = rows.slice(0, limit);
  return { items: items.map(view), nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].id) : null };
}
