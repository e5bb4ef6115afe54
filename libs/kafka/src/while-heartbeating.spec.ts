import { HEARTBEAT_INTERVAL_MS, SESSION_TIMEOUT_MS, whileHeartbeating } from './kafka-options';

describe('whileHeartbeating', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('heartbeats every interval while a slow handler runs, and stops when it is done', async () => {
    const heartbeat = jest.fn(async () => undefined);
    let finish: (v: string) => void = () => undefined;
    const running = whileHeartbeating(heartbeat, () => new Promise<string>((r) => (finish = r)));
    // A handler held up longer than the session timeout (Redis away): the group still hears from it.
    await jest.advanceTimersByTimeAsync(SESSION_TIMEOUT_MS + 500);
    expect(heartbeat).toHaveBeenCalledTimes(Math.floor((SESSION_TIMEOUT_MS + 500) / HEARTBEAT_INTERVAL_MS));
    finish('done');
    await expect(running).resolves.toBe('done');
    const calls = heartbeat.mock.calls.length;
    await jest.advanceTimersByTimeAsync(5 * HEARTBEAT_INTERVAL_MS);
    expect(heartbeat).toHaveBeenCalledTimes(calls);
  });

  it('does not heartbeat for a handler quicker than the interval', async () => {
    const heartbeat = jest.fn(async () => undefined);
    await expect(whileHeartbeating(heartbeat, async () => 42)).resolves.toBe(42);
    await jest.advanceTimersByTimeAsync(3 * HEARTBEAT_INTERVAL_MS);
    expect(heartbeat).not.toHaveBeenCalled();
  });

  it("passes the handler's failure on, and stops heartbeating", async () => {
    const heartbeat = jest.fn(async () => undefined);
    const failing = whileHeartbeating(heartbeat, async () => {
      await new Promise((r) => setTimeout(r, 2.5 * HEARTBEAT_INTERVAL_MS));
      throw new Error('redis away');
    });
    const settled = expect(failing).rejects.toThrow('redis away');
    await jest.advanceTimersByTimeAsync(3 * HEARTBEAT_INTERVAL_MS);
    await settled;
    expect(heartbeat).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(3 * HEARTBEAT_INTERVAL_MS);
    expect(heartbeat).toHaveBeenCalledTimes(2);
  });

  it('leaves a failed heartbeat (a rebalance began) to kafkajs and lets the handler finish', async () => {
    const heartbeat = jest.fn(async () => {
      throw new Error('The group is rebalancing, so a rejoin is needed');
    });
    let finish: () => void = () => undefined;
    const running = whileHeartbeating(heartbeat, () => new Promise<void>((r) => (finish = r)));
    await jest.advanceTimersByTimeAsync(2 * HEARTBEAT_INTERVAL_MS);
    expect(heartbeat).toHaveBeenCalledTimes(2);
    finish();
    await expect(running).resolves.toBeUndefined();
  });
});
