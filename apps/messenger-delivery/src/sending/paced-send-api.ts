import { METRIC_NAMES, Metrics } from '@app/observability';
import { Inject, Injectable } from '@nestjs/common';
import { PageRateLimiterRepository, RateSettings } from './page-rate-limiter.repository';
import { SendApiClient, SendResult } from './send-api.client';

export const RATE_SETTINGS = Symbol('RATE_SETTINGS');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RATE_LIMIT_CODES = new Set([4, 613, 80006]);

/**
 * Every Send API call of this service goes through here (promotions and the bot's replies alike):
 * it waits for the Page's shared token bucket, asks `mayCall` (the ledger's last word: is the send
 * still ours?) right before calling, calls, and slows the Page down when Meta says it sends too fast.
 */
@Injectable()
export class PacedSendApi {
  private readonly waits;

  constructor(
    private readonly limiter: PageRateLimiterRepository,
    private readonly client: SendApiClient,
    @Inject(RATE_SETTINGS) private readonly rate: RateSettings,
    metrics: Metrics,
  ) {
    this.waits = metrics.histogram(
      METRIC_NAMES.rateLimitWait,
      "Seconds a send waited for its Page's budget (0 when none was needed)",
      ['outcome'],
      [0, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    );
  }

  async send(
    pageId: string,
    pageAccessToken: string,
    body: Record<string, unknown>,
    deadlineMs: number,
    mayCall: () => Promise<boolean>,
  ): Promise<SendResult | 'deadline' | 'taken_over'> {
    const started = Date.now();
    for (;;) {
      const waitMs = await this.limiter.take(pageId, this.rate, Date.now());
      if (waitMs === 0) break;
      if (Date.now() + waitMs > deadlineMs) {
        this.waits.observe({ outcome: 'deadline' }, (Date.now() - started) / 1000);
        return 'deadline';
      }
      await sleep(waitMs);
    }
    this.waits.observe({ outcome: 'sent' }, (Date.now() - started) / 1000);
    if (!(await mayCall())) return 'taken_over';
    const result = await this.client.send(pageId, pageAccessToken, body);
    if (!result.ok && result.error && RATE_LIMIT_CODES.has(result.error.code)) await this.limiter.slowDown(pageId, this.rate);
    return result;
  }
}
