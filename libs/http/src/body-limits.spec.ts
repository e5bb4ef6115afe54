import { HttpException } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyLimits, bodyLimitOf, largestBodyLimit, refuseOversizedBodies } from './body-limits';

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
    expect(largestBodyLimit(limits)).toBe(20 * MiB);
    expect(largestBodyLimit({ defaultBytes: MiB })).toBe(MiB);
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
});
