import Fastify from 'fastify';
import { ArgumentsHost, HttpException, Logger, PayloadTooLargeException } from '@nestjs/common';
import { CapacityError, DomainError } from './domain-error';
import { HttpErrorFilter, answerFrameworkError } from './http-error.filter';

/** The filter's answer and error log lines for one exception, on a Fastify reply (or a raw response). */
function answer(exception: unknown, request: unknown = {}, raw = false): { status: number; body: unknown; logged: string[] } {
  const logged: string[] = [];
  const spy = jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void logged.push(String(message)));
  const res = { status: 0, body: undefined as unknown, type: '' };
  const reply = {
    raw: {},
    sent: false,
    status(code: number) {
      res.status = code;
      return this;
    },
    header(name: string, value: string) {
      if (name === 'content-type') res.type = value;
      return this;
    },
    send(body: unknown) {
      res.body = body;
    },
  };
  const serverResponse = {
    headersSent: false,
    writeHead(code: number, headers: Record<string, string>) {
      res.status = code;
      res.type = headers['content-type'];
    },
    end(text: string) {
      res.body = JSON.parse(text);
    },
  };
  const host = { getType: () => 'http', switchToHttp: () => ({ getResponse: () => (raw ? serverResponse : reply), getRequest: () => request }) } as unknown as ArgumentsHost;
  try {
    new HttpErrorFilter().catch(exception, host);
  } finally {
    spy.mockRestore();
  }
  expect(res.type).toBe('application/json; charset=utf-8');
  return { status: res.status, body: res.body, logged };
}

describe('HttpErrorFilter', () => {
  it('answers a refusal for capacity 503 without logging it, and logs other 5xx', () => {
    const shed = answer(new CapacityError('at capacity; retry later'));
    expect(shed).toEqual({ status: 503, body: { statusCode: 503, error: 'UNAVAILABLE', message: 'at capacity; retry later', details: undefined }, logged: [] });
    const unavailable = answer(new DomainError('UNAVAILABLE', 'keys still loading'));
    expect(unavailable.status).toBe(503);
    expect(unavailable.logged).toEqual(['DomainError: keys still loading']);
    const bug = answer(new TypeError('x is undefined'));
    expect(bug).toMatchObject({ status: 500, body: { error: 'INTERNAL_SERVER_ERROR', message: 'internal error' }, logged: ['TypeError: x is undefined'] });
    expect(answer(new DomainError('NOT_FOUND', 'offer not found')).logged).toEqual([]);
  });

  it("words Fastify's 413 with the route's limit, and keeps other HTTP errors' messages", () => {
    const request = { method: 'POST', url: '/v1/stores?x=1', headers: { 'content-length': '2000000' }, routeOptions: { bodyLimit: 1048576 } };
    expect(answer(new HttpException('Request body is too large', 413), request).body).toEqual({
      statusCode: 413,
      error: 'PAYLOAD_TOO_LARGE',
      message: 'request body is too large: 2000000 bytes, at most 1048576 on POST /v1/stores',
    });
    expect(answer(new PayloadTooLargeException('Request body is too large'), request).body).toMatchObject({ message: 'request body is too large: 2000000 bytes, at most 1048576 on POST /v1/stores' });
    expect(answer(new HttpException('request body is not valid JSON', 400), request).body).toEqual({ statusCode: 400, error: 'BAD_REQUEST', message: 'request body is not valid JSON' });
  });

  it('answers on the raw response when there is no Fastify reply (a middleware failed)', () => {
    expect(answer(new DomainError('NOT_FOUND', 'no such file'), {}, true)).toMatchObject({ status: 404, body: { error: 'NOT_FOUND', message: 'no such file' } });
  });

  it("answers what Fastify's router refuses in the same contract", async () => {
    const app = Fastify({ frameworkErrors: answerFrameworkError });
    app.get('/r/:id', async () => 'ok');
    const long = await app.inject({ method: 'GET', url: `/r/${'a'.repeat(120)}` });
    expect(long.statusCode).toBe(414);
    expect(long.json()).toEqual({ statusCode: 414, error: 'URI_TOO_LONG', message: 'a path parameter is too long' });
    const bad = await app.inject({ method: 'GET', url: '/r/%zz' });
    expect(bad.json()).toMatchObject({ statusCode: 400, error: 'BAD_REQUEST' });
    await app.close();
  });
});
