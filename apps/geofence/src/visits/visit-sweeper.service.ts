import { PeriodicJob } from '@app/observability';
import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { ExpireVisits } from './expire-visits.usecase';

export const SWEEP_INTERVAL_MS = Symbol('SWEEP_INTERVAL_MS');

/** Runs ExpireVisits every few seconds (every replica; the visit state keeps that safe). */
@Injectable()
export class VisitSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(VisitSweeper.name);
  private job: PeriodicJob | null = null;

  constructor(
    private readonly expireVisits: ExpireVisits,
    @Inject(SWEEP_INTERVAL_MS) private readonly intervalMs: number,
  ) {}

  onApplicationBootstrap(): void {
    this.job = new PeriodicJob(
      this.intervalMs,
      () => this.expireVisits.execute(),
      (error) => this.logger.warn(`visit sweep failed, will retry: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  /** Finishes the sweep in hand while Redis and the producer are still open. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }
}
