import RequestQueue from 'kafkajs/src/network/requestQueue';
import { version } from 'kafkajs/package.json';
import { FIXED_KAFKAJS_VERSION, fixRequestQueueTimerLoop } from './request-queue-fix';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function queue(maxInFlightRequests: number): RequestQueue {
  return new RequestQueue({ maxInFlightRequests, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'spec', broker: 'localhost:9092', logger: quiet });
}

/** A request as kafkajs's connection pushes it: its entry resolves with the broker's answer. */
function request(correlationId: number, sent: number[]) {
  const entry = { correlationId, resolve: () => undefined, reject: () => undefined };
  return { entry, expectResponse: true, sendRequest: () => void sent.push(correlationId) };
}

describe('the kafkajs request queue fix', () => {
  afterEach(() => jest.useRealTimers());

  it('applies to the kafkajs version the lockfile pins (look at it again after an upgrade)', () => {
    expect(version).toBe(FIXED_KAFKAJS_VERSION);
    expect(fixRequestQueueTimerLoop()).toBe(true);
  });

  it('leaves no timer running once every request is answered', () => {
    const q = queue(5);
    const sent: number[] = [];
    q.push(request(1, sent));
    q.fulfillRequest({ correlationId: 1, payload: null, size: 0 });
    expect(sent).toEqual([1]);
    // kafkajs 2.2.4 scheduled a check here, which scheduled the next one, every millisecond, forever.
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('still sends a request that waited for a free slot, when the one in flight is answered', () => {
    const q = queue(1);
    const sent: number[] = [];
    q.push(request(1, sent));
    q.push(request(2, sent));
    expect(sent).toEqual([1]);
    expect(q.pending).toHaveLength(1);
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    q.fulfillRequest({ correlationId: 1, payload: null, size: 0 });
    expect(sent).toEqual([1, 2]);
    q.fulfillRequest({ correlationId: 2, payload: null, size: 0 });
    q.destroy();
  });

  it('still sends a request held back by the broker\'s throttling once the throttle ends', () => {
    jest.useFakeTimers();
    const q = queue(5);
    const sent: number[] = [];
    (q as unknown as { maybeThrottle(ms: number): void }).maybeThrottle(50);
    q.push(request(1, sent));
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(60);
    expect(sent).toEqual([1]);
    q.fulfillRequest({ correlationId: 1, payload: null, size: 0 });
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });
});
