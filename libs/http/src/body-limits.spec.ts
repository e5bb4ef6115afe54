import { HttpException } from '@nestjs/common';
import Fastify, { type FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { BODY_TOO_LARGE, BodyLimits, WithRawBody, bodyLimitOf, readJsonBodies, tooLargeMessage } from './body-limits';

const MiB = 1024 * 1024;

describe('body limits per route', () => {
  const limits: BodyLimits = { defaultBytes: MiB, large: [{ method: 'POST', path: '/v1/stores/bulk', limitBytes: 20 * MiB }] };

  it('gives the bulk import its own limit, whatever its query string or trailing slash, and every other route the default', () => {
    expect(bodyLimitOf(limits, 'POST', '/v1/stores/bulk')).toBe(20 * MiB);
    expect(bodyLimitOf(limits, 'POST', '/v1/stores/bulk/?dryRun=1')).toBe(20 * MiB);
    expect(bodyLimitOf(limits, 'PUT', '/v1/stores/bulk')).toBe(MiB);
    expect(bodyLimitOf(limits, 'POST', '/v1/stores')).toBe(MiB);
    expect(bodyLimitOf(limits, 'POST', '/v1/offers')).toBe(MiB);
  });

  it('says what the limit is, and the declared size when there was one', () => {
    const request = (headers: Record<string, string>) => ({ method: 'POST', url: '/v1/stores/bulk?x=1', headers, routeOptions: { bodyLimit: 20 * MiB } });
    expect(tooLargeMessage(request({ 'content-length': String(21 * MiB) }))).toBe(`request body is too large: ${21 * MiB} bytes, at most ${20 * MiB} on POST /v1/stores/bulk`);
    expect(tooLargeMessage(request({}))).toBe(`request body is too large: at most ${20 * MiB} bytes on POST /v1/stores/bulk`);
  });
});

describe('readJsonBodies, on a Fastify instance', () => {
  const limits: BodyLimits = {
    defaultBytes: 1024,
    large: [{ method: 'POST', path: '/bulk', limitBytes: 64 * 1024 }],
    bytesOnly: [{ method: 'POST', path: '/webhooks/messenger' }],
  };
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify({ bodyLimit: limits.defaultBytes });
    // As Nest's error handler does, through the app's filter: an HttpException keeps its status.
    app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) =>
      reply.code(error instanceof HttpException ? error.getStatus() : (error.statusCode ?? 500)).send({ message: error.message }),
    );
    readJsonBodies(app, limits, true);
    for (const path of ['/stores', '/bulk', '/webhooks/messenger', '/webhooks/other']) {
      app.post(path, async (request) => ({ body: request.body ?? null, raw: (request as WithRawBody<typeof request>).rawBody?.toString('utf8') ?? null }));
    }
    await app.ready();
  });
  afterAll(() => app.close());

  const post = async (url: string, payload: string | Buffer | Readable, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
    const r = await app.inject({ method: 'POST', url, payload, headers });
    return { status: r.statusCode, json: r.json<{ body: unknown; raw: string | null; message?: string }>() };
  };
  /** Sent without a Content-Length, in pieces, as a chunked upload is. */
  const chunked = (text: string) => Readable.from(text.match(/[\s\S]{1,512}/g) ?? []);

  it("refuses a body over its own route's limit before reading it, not at the largest one", async () => {
    const twoKiB = JSON.stringify({ name: 'x'.repeat(2048) });
    expect(await post('/stores', twoKiB)).toMatchObject({ status: 413, json: { message: BODY_TOO_LARGE } });
    expect(await post('/bulk', twoKiB)).toEqual({ status: 200, json: { body: { name: 'x'.repeat(2048) }, raw: twoKiB } });
    expect((await post('/bulk?dryRun=1', JSON.stringify({ name: 'x'.repeat(65 * 1024) }))).status).toBe(413);
  });

  it('cuts off a body sent without a length at its route limit', async () => {
    const twoKiB = JSON.stringify({ name: 'x'.repeat(2048) });
    expect((await post('/stores', chunked(twoKiB))).status).toBe(413);
    expect((await post('/bulk', chunked(twoKiB))).json.body).toEqual({ name: 'x'.repeat(2048) });
  });

  it('keeps the exact bytes (webhook signatures) and parses JSON elsewhere', async () => {
    expect(await post('/stores', '{ "a" : 1 }')).toEqual({ status: 200, json: { body: { a: 1 }, raw: '{ "a" : 1 }' } });
    expect(await post('/stores', '{"a":1}', { 'content-type': 'application/json; charset=utf-8' })).toEqual({ status: 200, json: { body: { a: 1 }, raw: '{"a":1}' } });
  });

  it('answers 400 to a body that is not JSON or is empty', async () => {
    expect(await post('/stores', '{not json')).toMatchObject({ status: 400, json: { message: 'request body is not valid JSON' } });
    expect(await post('/stores', '')).toMatchObject({ status: 400, json: { message: 'request body is empty; send a JSON document' } });
  });

  it('reads no body of another type: the handler sees none, and its validation says so', async () => {
    expect(await post('/stores', '{"a":1}', { 'content-type': 'text/plain' })).toEqual({ status: 200, json: { body: null, raw: null } });
    expect(await post('/stores', 'a=1', { 'content-type': 'application/x-www-form-urlencoded' })).toEqual({ status: 200, json: { body: null, raw: null } });
    expect(await post('/stores', 'a=1', {})).toEqual({ status: 200, json: { body: null, raw: null } });
  });

  it('inflates gzip bodies within the limit, and refuses corrupt, unknown and oversized encodings', async () => {
    const gz = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
    expect((await post('/stores', gzipSync('{"a":1}'), gz)).json.body).toEqual({ a: 1 });
    expect(await post('/stores', '{"a":1}', gz)).toMatchObject({ status: 400, json: { message: 'request body is not valid gzip: incorrect header check' } });
    expect((await post('/stores', '{"a":1}', { ...gz, 'content-encoding': 'br2' })).status).toBe(415);
    // 100 kB of spaces compress to a few hundred bytes: the limit counts what is inflated.
    const bomb = gzipSync(`{"a":${' '.repeat(100_000)}1}`);
    expect(bomb.length).toBeLessThan(1024);
    expect((await post('/stores', bomb, gz)).status).toBe(413);
  });

  it('keeps a bytes-only route unparsed, even bytes that are not JSON, within its limit', async () => {
    expect(await post('/webhooks/messenger', '{"object":"page", "entry":[]}')).toEqual({ status: 200, json: { body: null, raw: '{"object":"page", "entry":[]}' } });
    expect(await post('/webhooks/messenger?x=1', '{not json')).toEqual({ status: 200, json: { body: null, raw: '{not json' } });
    expect((await post('/webhooks/messenger', JSON.stringify({ a: 'x'.repeat(2048) }))).status).toBe(413);
    expect(await post('/webhooks/other', '{"a":1}')).toEqual({ status: 200, json: { body: { a: 1 }, raw: '{"a":1}' } });
    expect((await post('/webhooks/other', '{not json')).status).toBe(400);
  });
});
