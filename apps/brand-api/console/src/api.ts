/**
 * The brand API, called from the console with the signed-in key. The key lives in session
 * storage (this tab only, gone when it closes) and travels only in the Authorization header,
 * never in a URL.
 */
const KEY = 'brand-console.apiKey';
/** Fired on `window` when the API refuses the signed-in key (revoked meanwhile). */
export const UNAUTHORIZED_EVENT = 'brand-console:unauthorized';

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY),
  signIn: (apiKey: string) => sessionStorage.setItem(KEY, apiKey),
  signOut: () => sessionStorage.removeItem(KEY),
};

/** An error answer of the API: `{statusCode, error, message, details?}`; status 0 when unreachable. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown, apiKey = session.key()): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: { ...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (error) {
    throw new ApiError(0, error instanceof Error ? error.message : String(error));
  }
  const text = await response.text();
  const json: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const e = (json ?? {}) as { message?: string; details?: unknown };
    if (response.status === 401 && apiKey === session.key()) window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
    throw new ApiError(response.status, e.message ?? response.statusText, e.details);
  }
  return json as T;
}

/** Every item of a paged list (`{items, nextCursor}`), 500 at a time. */
export async function listAll<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page: { items: T[]; nextCursor: string | null } = await api('GET', `${path}${separator}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}
