import { HttpException } from '@nestjs/common';
import { IncomingMessage, ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyLimits, bodyLimitOf, jsonBodiesWithinLimits, refuseOversizedBodies } from './body-limits';

const MiB = 1024 * 1024;
const limits: BodyLimits = { defaultBytes: MiB, large: [{ method: 'POST', path: '/v1/stores/bulk', limitBytes: 20 * MiB }] };

/** What the middleware passes on: nothing (go on) or the error the app's filter answers. */
function verdict(method: string, url: string, contentLength?: number): unknown {
  const req = { method, url, headers: contentLength === undefined ? {} : { 'content-length': String(contentLength) } } as IncomingMessage;
  let passed: unknown = 'not called';
  refuseOversizedBodies(limits)(req, {} as ServerResponse, (error?: unknown) => (passed = error));
  return passed;
}

describe('body limits per route', () => {
  it('gives the bulk import its own limit, whatever its query string or trailing slash, and every other route the default', () => {
    expect(bodyLimitOf(limits, 'POST', '/v1/stores/bulk')).toBe(20 * MiB);
    expect(bodyLimitOf(limits, 'POST', '/v1/stores/bulk/?dryRun=1')).toBe(20 * MiB);
    expect(bodyLimitOf(limits, 'PUT', '/v1/stores/bulk')).toBe(MiB);
    expect(bodyLimitOf(limits, 'POST', '/v1/stores')).toBe(MiB);
    expect(bodyLimitOf(limits, 'POST', '/v1/offers')).toBe(MiB);
  });

  it('refuses with 413, before reading, a body whose Content-Length is over its route limit, and says which', () => {
    const refused = verdict('POST', '/v1/stores/bulk', 21 * MiB);
    expect(refused).toBeInstanceOf(HttpException);
    expect((refused as HttpException).getStatus()).toBe(413);
    expect((refused as HttpException).message).toBe(`request body is too large: ${21 * MiB} bytes, at most ${20 * MiB} on POST /v1/stores/bulk`);
    expect((verdict('POST', '/v1/stores', 2 * MiB) as HttpException).getStatus()).toBe(413);
  });

  it('lets through bodies within their limit and bodies without a length (the parser counts those)', () => {
    expect(verdict('POST', '/v1/stores/bulk', 20 * MiB)).toBeUndefined();
    expect(verdict('POST', '/v1/stores', MiB)).toBeUndefined();
    expect(verdict('POST', '/v1/stores')).toBeUndefined();
    expect(verdict('GET', '/health')).toBeUndefined();
  });

  describe('the JSON parser, for bodies sent without a length (chunked)', () => {
    const small: BodyLimits = { defaultBytes: 1024, large: [{ method: 'POST', path: '/bulk', limitBytes: 64 * 1024 }] };
    let server: ReturnType<typeof createServer>;
    let port: number;
    beforeAll(async () => {
      const parse = jsonBodiesWithinLimits(small, true);
      server = createServer((req, res) =>
        parse(req, res, (error?: unknown) => {
          const parsed = req as IncomingMessage & { body?: unknown; rawBody?: Buffer };
          res.statusCode = (error as { status?: number } | undefined)?.status ?? 200;
          res.end(JSON.stringify({ limit: (error as { limit?: number } | undefined)?.limit ?? null, body: parsed.body ?? null, rawBytes: parsed.rawBody?.length ?? null }));
        }),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    function postChunked(path: string, body: string): Promise<{ status: number; json: { limit: number | null; body: unknown; rawBytes: number | null } }> {
      return new Promise((resolve, reject) => {
        const req = request({ port, host: '127.0.0.1', path, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(parts).toString('utf8')) as never }));
        });
        req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
        for (let i = 0; i < body.length; i += 512) req.write(body.slice(i, i + 512));
        req.end();
      });
    }

    it("cuts a body off at its own route's limit, not at the largest one", async () => {
      const twoKiB = JSON.stringify({ name: 'x'.repeat(2048) });
      const refused = await postChunked('/stores', twoKiB);
      expect(refused.status).toBe(413);
      expect(refused.json.limit).toBe(1024);
      const taken = await postChunked('/bulk', twoKiB);
      expect(taken.status).toBe(200);
      expect(taken.json.body).toEqual({ name: 'x'.repeat(2048) });
      expect((await postChunked('/bulk', JSON.stringify({ name: 'x'.repeat(65 * 1024) }))).status).toBe(413);
    });

    it('keeps the exact bytes when asked (webhook signatures)', async () => {
      const raw = '{ "a" : 1 }';
      const taken = await postChunked('/stores', raw);
      expect(taken.json).toEqual({ limit: null, body: { a: 1 }, rawBytes: Buffer.byteLength(raw) });
    });
  });

  describe('a bytes-only route (a webhook its handler parses itself)', () => {
    const limitsWithWebhook: BodyLimits = { defaultBytes: 1024, bytesOnly: [{ method: 'POST', path: '/webhooks/messenger' }] };
    let server: ReturnType<typeof createServer>;
    let port: number;
    beforeAll(async () => {
      const parse = jsonBodiesWithinLimits(limitsWithWebhook, true);
      server = createServer((req, res) =>
        parse(req, res, (error?: unknown) => {
          const parsed = req as IncomingMessage & { body?: unknown; rawBody?: Buffer };
          res.statusCode = (error as { status?: number } | undefined)?.status ?? 200;
          res.end(JSON.stringify({ parsed: parsed.body !== undefined && !Buffer.isBuffer(parsed.body), raw: parsed.rawBody?.toString('utf8') ?? null }));
        }),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const post = async (path: string, body: string, contentType = 'application/json') => {
      const r = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
      return { status: r.status, json: (await r.json()) as { parsed: boolean; raw: string | null } };
    };

    it('keeps the exact bytes and parses nothing, even bytes that are not JSON', async () => {
      expect(await post('/webhooks/messenger', '{"object":"page", "entry":[]}')).toEqual({ status: 200, json: { parsed: false, raw: '{"object":"page", "entry":[]}' } });
      expect(await post('/webhooks/messenger?x=1', '{not json')).toEqual({ status: 200, json: { parsed: false, raw: '{not json' } });
    });

    it('reads it within its limit and only as JSON, like every other route', async () => {
      expect((await post('/webhooks/messenger', JSON.stringify({ a: 'x'.repeat(2048) }))).status).toBe(413);
      expect((await post('/webhooks/messenger', 'a=1', 'application/x-www-form-urlencoded')).json).toEqual({ parsed: false, raw: null });
    });

    it('leaves the other routes parsed', async () => {
      expect(await post('/webhooks/other', '{"a":1}')).toEqual({ status: 200, json: { parsed: true, raw: '{"a":1}' } });
      expect((await post('/webhooks/other', '{not json')).status).toBe(400);
    });
  });
});
