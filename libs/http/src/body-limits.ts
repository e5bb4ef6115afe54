import { PayloadTooLargeException } from '@nestjs/common';
import { json, raw } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

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
  /**
   * Routes whose JSON body is read as bytes only (`req.rawBody`, within the limit) and left for
   * the handler to parse: a webhook verified over its exact bytes and parsed once by its use case,
   * not a second time here (body-parser's JSON parse was 1.5 % of the gateway's CPU under make bench).
   */
  bytesOnly?: { method: string; path: string }[];
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
 * to its route's limit by jsonBodiesWithinLimits, which counts as it reads.
 */
export function refuseOversizedBodies(limits: BodyLimits): Middleware {
  return (req, _res, next) => {
    const declared = Number(req.headers['content-length']);
    const limit = bodyLimitOf(limits, req.method, req.url);
    if (!Number.isFinite(declared) || declared <= limit) return next();
    next(new PayloadTooLargeException(`request body is too large: ${declared} bytes, at most ${limit} on ${req.method} ${pathOf(req.url)}`));
  };
}

/**
 * The JSON body parser (Express's, body-parser) with each route's own limit, so that a body sent
 * without a Content-Length (chunked) is cut off at its route's limit too, not at the largest one:
 * one parser per distinct limit, chosen per request. `rawBody` keeps the exact bytes on
 * `req.rawBody`, as Nest's own option does (webhook signatures are computed over them).
 */
export function jsonBodiesWithinLimits(limits: BodyLimits, rawBody: boolean): Middleware {
  const verify = rawBody
    ? (req: IncomingMessage & { rawBody?: Buffer }, _res: ServerResponse, buffer: Buffer) => {
        req.rawBody = buffer;
      }
    : undefined;
  const parsers = new Map<string, Middleware>();
  const parserFor = (limit: number, bytesOnly: boolean): Middleware => {
    const key = `${limit}:${bytesOnly ? 'bytes' : 'json'}`;
    let parser = parsers.get(key);
    if (!parser) {
      // The same content type either way: a body that is not JSON is not read as one.
      parser = (bytesOnly ? raw({ limit, type: 'application/json', verify: keepBytes }) : json({ limit, verify })) as unknown as Middleware;
      parsers.set(key, parser);
    }
    return parser;
  };
  return (req, res, next) => {
    const path = limits.bytesOnly ? pathOf(req.url) : '';
    const bytesOnly = limits.bytesOnly?.some((r) => r.method === req.method && r.path === path) ?? false;
    parserFor(bodyLimitOf(limits, req.method, req.url), bytesOnly)(req, res, next);
  };
}

const keepBytes = (req: IncomingMessage & { rawBody?: Buffer }, _res: ServerResponse, buffer: Buffer) => {
  req.rawBody = buffer;
};
