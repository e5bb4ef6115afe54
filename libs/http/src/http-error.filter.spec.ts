import { ArgumentsHost, Logger } from '@nestjs/common';
import { CapacityError, DomainError } from './domain-error';
import { HttpErrorFilter } from './http-error.filter';

/** The filter's answer and error log lines for one exception. */
function answer(exception: unknown): { status: number; body: unknown; logged: string[] } {
  const logged: string[] = [];
  const spy = jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void logged.push(String(message)));
  const res = { headersSent: false, status: 0, body: undefined as unknown };
  const response = {
    headersSent: false,
    status(code: number) {
      res.status = code;
      return this;
    },
    json(body: unknown) {
      res.body = body;
    },
  };
  const host = { getType: () => 'http', switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  try {
    new HttpErrorFilter().catch(exception, host);
  } finally {
    spy.mockRestore();
  }
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
});
