/**
 * A background job run every `everyMs`, never twice at once (a tick that finds the last run still
 * going is skipped), without keeping the process alive (the timer is unref'd). `stop` clears the
 * timer and waits for the run in hand, so that an app's BeforeApplicationShutdown finishes it
 * while its connections are still open. A failed run goes to `onError`; the next tick tries again.
 */
export class PeriodicJob {
  private readonly timer: NodeJS.Timeout;
  private running: Promise<unknown> | null = null;

  constructor(everyMs: number, run: () => Promise<unknown>, onError: (error: unknown) => void) {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = run()
        .catch(onError)
        .finally(() => (this.running = null));
    }, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
