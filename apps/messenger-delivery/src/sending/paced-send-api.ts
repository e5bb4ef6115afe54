import { Inject, Injectable } from '@nestjs/common';
import { PageRateLimiterRepository, RateSettings } from './page-rate-limiter.repository';
import { SendApiClient, SendResult } from './send-api.client';

export const RATE_SETTINGS = Symbol('RATE_SETTINGS');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RATE_LIMIT_CODES = new Set([4, 613, 80006]);

/**
 * Every Send API call of this service goes through here (promotions and the bot's replies alike):
 * it waits for the Page's shared token bucket, calls, and slows the Page down when Meta says it
 * sends too fast.
 */
@Injectable()
export class PacedSendApi {
  constructor(
    private readonly limiter: PageRateLimiterRepository,
    private readonly client: SendApiClient,
    @Inject(RATE_SETTINGS) private readonly rate: RateSettings,
  ) {}

  async send(pageId: string, pageAccessToken: string, body: Record<string, unknown>, deadlineMs: number): Promise<SendResult | 'deadline'> {
    for (;;) {
      const waitMs = await this.limiter.take(pageId, this.rate, Date.now());
      if (waitMs === 0) break;
      if (Date.now() + waitMs > deadlineMs) return 'deadline';
      await sleep(waitMs);
    }
    const result = await this.client.send(pageId, pageAccessToken, body);
    if (!result.ok && result.error && RATE_LIMIT_CODES.has(result.error.code)) await this.limiter.slowDown(pageId, this.rate);
    return result;
  }
}
