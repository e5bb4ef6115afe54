import { stackUrls } from '@app/testing';
import { Agent, request } from 'node:http';
import { E2E } from '../setup/e2e-stack';

jest.setTimeout(60_000);

const urls = stackUrls(E2E.portBase);

/** GET on `agent`; says whether the request went over a connection kept from an earlier one. */
function get(agent: Agent, url: string): Promise<{ status: number; reusedSocket: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reusedSocket: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * An idle kept-alive connection outlives Node's default 5 s: with it, a client that reused its
 * connection a moment too late (nginx, or a test process busy for a few seconds) had its request
 * fail with "other side closed" (see BENCHMARKS.md, "brand-api under large bodies").
 */
describe('kept-alive connections (real stack)', () => {
  it.each([
    ['brand-api', `${urls.brandApi}/health/live`],
    ['messenger-gateway', `${urls.gateway}/health/live`],
  ])('%s keeps an idle connection open longer than 5 s', async (_app, url) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await get(agent, url)).toEqual({ status: 200, reusedSocket: false });
      await new Promise((r) => setTimeout(r, 6_500));
      // Closed by the server after 5 s, the connection would be gone and a new one opened.
      expect(await get(agent, url)).toEqual({ status: 200, reusedSocket: true });
    } finally {
      agent.destroy();
    }
  });
});
