import { Logger } from '@nestjs/common';
import type { Consumer } from 'kafkajs';

/** How long a consumer that kafkajs gave up on waits before it connects and joins again. */
export const REJOIN_DELAY_MS = 5_000;

/**
 * kafkajs restarts a crashed consumer only when the error is retriable. After a broker restart it
 * can crash with a non-retriable one ("Failed to find group coordinator") and then stays stopped
 * for good: the app answered /health with the consumer down and consumed nothing until someone
 * restarted it (make chaos, 2 December, 13:43). This starts the consumer again (`rejoin`: connect,
 * subscribe, run) after REJOIN_DELAY_MS, and again after each failed attempt, until it is running
 * or its owner is stopping.
 */
export function rejoinAfterFatalCrash(consumer: Consumer, rejoin: () => Promise<void>, stopping: () => boolean, logger: Logger): void {
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart || stopping()) return;
    logger.error(`consumer stopped by kafkajs (${payload.error.name}: ${payload.error.message}); joining again in ${REJOIN_DELAY_MS} ms`);
    const attempt = (): void => {
      setTimeout(() => {
        if (stopping()) return;
        rejoin().catch((error: unknown) => {
          logger.error(`joining again failed (${(error as Error).message}); trying again in ${REJOIN_DELAY_MS} ms`);
          attempt();
        });
      }, REJOIN_DELAY_MS).unref();
    };
    attempt();
  });
}
