import { BadRequestException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PassThrough, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

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
   * not a second time here.
   */
  bytesOnly?: { method: string; path: string }[];
}

/** A request whose exact body bytes were kept (webhook signatures are computed over them). */
export type WithRawBody<T> = T & { rawBody?: Buffer };

function pathOf(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0];
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** The limit that applies to a body sent to this route. */
export function bodyLimitOf(limits: BodyLimits, method: string | undefined, url: string | undefined): number {
  const path = pathOf(url);
  return limits.large?.find((r) => r.method === method && r.path === path)?.limitBytes ?? limits.defaultBytes;
}

/** The answer to a body over its route's limit: the app's error filter words it (http-error.filter.ts). */
export function tooLargeMessage(request: Pick<FastifyRequest, 'method' | 'url' | 'headers'> & { routeOptions?: { bodyLimit?: number } }): string {
  const limit = request.routeOptions?.bodyLimit;
  const declared = Number(request.headers['content-length']);
  const where = `on ${request.method} ${pathOf(request.url)}`;
  if (limit === undefined) return `request body is too large ${where}`;
  return Number.isFinite(declared) && declared > limit
    ? `request body is too large: ${declared} bytes, at most ${limit} ${where}`
    : // Sent without a length (chunked) and cut off as it was read.
      `request body is too large: at most ${limit} bytes ${where}`;
}

/**
 * Fastify's message for a body over its limit (FST_ERR_CTP_BODY_TOO_LARGE), which Nest turns into
 * an HttpException(message, 413); the app's error filter words it with tooLargeMessage.
 */
export const BODY_TOO_LARGE = 'Request body is too large';

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

const hasBody = (request: FastifyRequest) =>
  request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');

/**
 * How every app reads request bodies, on Fastify:
 * - JSON only (`application/json`, any charset parameter). A body of another type is not read and
 *   the handler sees no body, so its validation answers 400 naming the body.
 * - Each route's own limit (`bodyLimit`, set as Nest registers the route), checked against the
 *   Content-Length before a byte is read (413), and counted as a body without a length (chunked)
 *   is read: a small route never has a large body read for it, even from a client that is not
 *   authenticated yet (guards run after the body is read).
 * - gzip, deflate and br bodies are inflated as they are read, the limit counting both the bytes
 *   received and the bytes inflated; an unknown Content-Encoding is 415, a corrupt one 400.
 * - With `rawBody`, the exact bytes are kept on `request.rawBody`; a `bytesOnly` route's body is
 *   not parsed here at all.
 * Register before the app's routes are (Nest registers them at init).
 */
export function readJsonBodies(fastify: FastifyInstance, limits: BodyLimits, rawBody: boolean): void {
  fastify.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    route.bodyLimit ??= Math.max(...methods.map((method) => bodyLimitOf(limits, method, route.url)));
  });

  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    // Refused here rather than by Fastify's parser, which would also close the connection under a
    // client still sending: answered this way, Node reads off and discards the rest of the upload,
    // so the client gets its answer and the connection stays usable.
    if (Number(request.headers['content-length']) > (request.routeOptions.bodyLimit ?? limits.defaultBytes)) {
      return done(new PayloadTooLargeException(BODY_TOO_LARGE));
    }
    const encoding = String(request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding === 'identity' || !hasBody(request)) return done(null, payload);
    const decoder = DECODERS[encoding];
    if (!decoder) return done(new UnsupportedMediaTypeException(`unsupported content encoding "${encoding}"`));
    // Fastify compares the bytes received, not the bytes inflated, with the Content-Length.
    const inflated = new PassThrough() as PassThrough & { receivedEncodedLength: number };
    inflated.receivedEncodedLength = 0;
    const decode = decoder();
    payload.on('data', (chunk: Buffer) => (inflated.receivedEncodedLength += chunk.length));
    payload.on('error', (error) => inflated.destroy(error));
    decode.on('error', (error) => inflated.destroy(new BadRequestException(`request body is not valid ${encoding}: ${error.message}`)));
    done(null, payload.pipe(decode).pipe(inflated) as unknown as typeof payload);
  });

  const bytesOnly = new Set((limits.bytesOnly ?? []).map((r) => `${r.method} ${r.path}`));
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (rawBody) (request as WithRawBody<FastifyRequest>).rawBody = bytes;
    if (bytesOnly.has(`${request.method} ${pathOf(request.routeOptions.url)}`)) return done(null, undefined);
    if (bytes.length === 0) return done(new BadRequestException('request body is empty; send a JSON document'));
    parseJson(request, bytes as unknown as string, (error, parsed) => (error ? done(new BadRequestException('request body is not valid JSON')) : done(null, parsed)));
  });
  // Any other type: not read (Node discards it once the answer is sent), no body for the handler.
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
}
