/** How long a stop waits for a start still under way before it closes the clients anyway. */
const START_SETTLE_MS = 3_000;

/**
 * The start and stop of a consumer that joins its group in the background (joining takes
 * seconds, so apps do not wait for it). Without this, a stop that came while the start was still
 * connecting disconnected first, and the start then went on: the consumer joined and heartbeated
 * after its owner had closed (an app closed right after it started, as tests do).
 *
 * `start` runs the steps; each step after the first asks `stopping()` before going on. `stop`
 * waits for the start to settle (bounded: a broker that is down must not hold a shutdown past
 * its deadline), then closes.
 */
export class ConsumerLifecycle {
  private running: Promise<void> | undefined;
  private stopRequested = false;

  start(steps: (stopping: () => boolean) => Promise<void>): Promise<void> {
    this.running = steps(() => this.stopRequested);
    return this.running;
  }

  async stop(close: () => Promise<void>): Promise<void> {
    this.stopRequested = true;
    if (this.running) {
      const settled = this.running.catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([settled, new Promise<void>((resolve) => (timer = setTimeout(resolve, START_SETTLE_MS).unref()))]);
      clearTimeout(timer);
    }
    await close();
  }
}
