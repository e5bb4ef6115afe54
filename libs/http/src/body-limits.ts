import { PayloadTooLargeException } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A route that takes a larger JSON body than its app's default, such as a bulk import. */
export interface LargeBodyRoute {
  method: string;
  /** Exact path, without a query string. */
  path: string;
  limitBytes: number;
}

export interface BodyLimits {
  /** Every route but the large ones. */
  defaultBytes: number;
  large?: LargeBodyRoute[];
}

/** The largest body any route takes: what the JSON parser itself must allow. */
export function largestBodyLimit(limits: BodyLimits): number {
  return Math.max(limits.defaultBytes, ...(limits.large ?? []).map((r) => r.limitBytes));
}

function pathOf(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0];
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** The limit that applies to this request's body. */
export function bodyLimitOf(limits: BodyLimits, method: string | undefined, url: string | undefined): number {
  const path = pathOf(url);
  return limits.large?.find((r) => r.method === method && r.path === path)?.limitBytes ?? limits.defaultBytes;
}

/**
 * Registered before the JSON parser: a body whose Content-Length says it is over its route's limit
 * is answered 413 (through the app's error filter) before a byte of it is read or parsed, and a
 * small route never has a large body parsed for it, even from a client that is not authenticated
 * yet (guards run after parsing). Node reads off and discards the rest of the upload, so the client
 * gets its answer and the connection stays usable. A body sent without a length (chunked) is held
 * to largestBodyLimit by the parser, which counts as it reads.
 */
export function refuseOversizedBodies(limits: BodyLimits): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void {
  return (req, _res, next) => {
    const declared = Number(req.headers['content-length']);
    const limit = bodyLimitOf(limits, req.method, req.url);
    if (!Number.isFinite(declared) || declared <= limit) return next();
    next(new PayloadTooLargeException(`request body is too large: ${declared} bytes, at most ${limit} on ${req.method} ${pathOf(req.url)}`));
  };
}
