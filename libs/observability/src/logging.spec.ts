import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pinoHttp, { type Options } from 'pino-http';
import { loggerParams } from './logging';

/** A pino-http middleware as nestjs-pino builds it from loggerParams, writing into `lines`. */
function logged(level: string, routine: { method: string; path: string }[] = []) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const options = loggerParams('test-app', level, false, routine).pinoHttp as Options;
  return { lines, middleware: pinoHttp(options, stream) };
}

async function requestThrough(middleware: ReturnType<typeof logged>["middleware"], path: string, headers: Record<string, string>, handle?: (req: { log: { info: (o: object, m: string) => void } }) => void, status = 202, mounted = false): Promise<void> {
  const server = createServer((req, res) => {
    if (mounted) {
      // As Fastify's middleware engine hands it to a middleware mounted on '/': the path cut off.
      (req as typeof req & { originalUrl?: string }).originalUrl = req.url;
      req.url = '/';
    }
    middleware(req, res);
    handle?.(req as never);
    res.statusCode = status;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers, body: '{}' });
    await response.text();
    // The "request completed" line is written when the response finishes.
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('request logs', () => {
  it('name the request by id, method and path only: no query string, no header', async () => {
    const { lines, middleware } = logged('info');
    await requestThrough(middleware, '/webhooks/messenger?hub.verify_token=s3cret&access_token=t0ken', {
      authorization: 'Bearer key_live_123',
      'x-hub-signature-256': 'sha256=abc',
      cookie: 'session=1',
    });
    const done = lines.find((l) => l.msg === 'request completed');
    expect(done).toMatchObject({ name: 'test-app', req: { method: 'POST', url: '/webhooks/messenger' }, res: { statusCode: 202 } });
    expect(Object.keys(done?.req as object).sort()).toEqual(['id', 'method', 'url']);
    const all = JSON.stringify(lines);
    for (const secret of ['s3cret', 't0ken', 'key_live_123', 'sha256=abc', 'session=1']) expect(all).not.toContain(secret);
  });

  it('redact coordinates and secrets a handler logs', async () => {
    const { lines, middleware } = logged('info');
    await requestThrough(middleware, '/v1/locations', {}, (req) => req.log.info({ share: { lat: 45.76, lng: 4.83 }, page: { accessToken: 'EAAB' } }, 'shared'));
    const shared = lines.find((l) => l.msg === 'shared');
    expect(shared).toMatchObject({ share: { lat: '[redacted]', lng: '[redacted]' }, page: { accessToken: '[redacted]' } });
  });

  it('write nothing for a successful request below the level', async () => {
    const { lines, middleware } = logged('warn');
    await requestThrough(middleware, '/webhooks/messenger', {});
    expect(lines).toEqual([]);
  });

  it('log a routine route\'s successes and sheds at debug, its other failures and other routes as before', async () => {
    const webhook = [{ method: 'POST', path: '/webhooks/messenger' }];
    const atInfo = logged('info', webhook);
    for (const status of [200, 503, 500, 403]) await requestThrough(atInfo.middleware, '/webhooks/messenger?x=1', {}, undefined, status);
    await requestThrough(atInfo.middleware, '/v1/locations', {}, undefined, 200);
    const completed = (lines: Record<string, unknown>[]) =>
      lines.filter((l) => l.msg === 'request completed' || l.msg === 'request errored').map((l) => [(l.req as { url: string }).url, (l.res as { statusCode: number }).statusCode, l.level]);
    expect(completed(atInfo.lines)).toEqual([
      ['/webhooks/messenger', 500, 50],
      ['/webhooks/messenger', 403, 40],
      ['/v1/locations', 200, 30],
    ]);
    const atDebug = logged('debug', webhook);
    for (const status of [200, 503]) await requestThrough(atDebug.middleware, '/webhooks/messenger', {}, undefined, status);
    expect(completed(atDebug.lines)).toEqual([
      ['/webhooks/messenger', 200, 20],
      ['/webhooks/messenger', 503, 20],
    ]);
  });

  it('name the whole path, and skip probes, when the middleware engine cut the path from req.url (Fastify)', async () => {
    const { lines, middleware } = logged('info', [{ method: 'POST', path: '/webhooks/messenger' }]);
    await requestThrough(middleware, '/v1/stores?limit=1', {}, undefined, 200, true);
    await requestThrough(middleware, '/health', {}, undefined, 200, true);
    await requestThrough(middleware, '/webhooks/messenger', {}, undefined, 200, true);
    expect(lines.filter((l) => l.msg === 'request completed').map((l) => (l.req as { url: string }).url)).toEqual(['/v1/stores']);
  });
});
