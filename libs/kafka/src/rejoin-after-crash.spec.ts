import { Logger } from '@nestjs/common';
import type { Consumer } from 'kafkajs';
import { REJOIN_DELAY_MS, rejoinAfterFatalCrash } from './rejoin-after-crash';

type CrashListener = (event: { payload: { error: Error; restart: boolean } }) => void;

function fakeConsumer(): { consumer: Consumer; crash: (restart: boolean) => void } {
  const listeners: CrashListener[] = [];
  const consumer = {
    events: { CRASH: 'consumer.crash' },
    on: (_event: string, listener: CrashListener) => listeners.push(listener),
  } as unknown as Consumer;
  return { consumer, crash: (restart) => listeners.forEach((l) => l({ payload: { error: new Error('Failed to find group coordinator'), restart } })) };
}

const quiet = { error: () => undefined } as unknown as Logger;

describe('rejoinAfterFatalCrash', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('joins again after a crash kafkajs will not restart from, and keeps trying until it works', async () => {
    const { consumer, crash } = fakeConsumer();
    const rejoin = jest.fn<Promise<void>, []>().mockRejectedValueOnce(new Error('broker still down')).mockResolvedValue(undefined);
    rejoinAfterFatalCrash(consumer, rejoin, () => false, quiet);
    crash(false);
    await jest.advanceTimersByTimeAsync(REJOIN_DELAY_MS - 1);
    expect(rejoin).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(rejoin).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(REJOIN_DELAY_MS);
    expect(rejoin).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(REJOIN_DELAY_MS * 3);
    expect(rejoin).toHaveBeenCalledTimes(2);
  });

  it('leaves kafkajs its own restarts, and a consumer whose owner is stopping', async () => {
    const { consumer, crash } = fakeConsumer();
    const rejoin = jest.fn<Promise<void>, []>().mockResolvedValue(undefined);
    let stopping = false;
    rejoinAfterFatalCrash(consumer, rejoin, () => stopping, quiet);
    crash(true);
    await jest.advanceTimersByTimeAsync(REJOIN_DELAY_MS * 2);
    expect(rejoin).not.toHaveBeenCalled();
    crash(false);
    stopping = true;
    await jest.advanceTimersByTimeAsync(REJOIN_DELAY_MS * 2);
    expect(rejoin).not.toHaveBeenCalled();
  });
});
