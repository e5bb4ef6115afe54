import { ChannelDirectory } from '@app/channels';
import { DeliveryOutcome, EventOf, Topics, deterministicId } from '@app/contracts';
import { EventPublisher } from '@app/kafka';
import { Metrics } from '@app/observability';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { renderPromotion } from './render';
import { GraphError, classifySendError } from './send-api-errors';
import { SendApiClient } from './send-api.client';
import { SendLedgerRepository } from './send-ledger.repository';

export const MAX_ATTEMPTS = Symbol('MAX_ATTEMPTS');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends one promotion through the Send API, once, and reports what happened on delivery.status.v1. */
@Injectable()
export class DeliverPromotion {
  private readonly logger = new Logger(DeliverPromotion.name);
  private readonly sends;
  private readonly latency;

  constructor(
    private readonly channels: ChannelDirectory,
    private readonly ledger: SendLedgerRepository,
    private readonly sendApi: SendApiClient,
    private readonly publisher: EventPublisher,
    @Inject(MAX_ATTEMPTS) private readonly maxAttempts: number,
    metrics: Metrics,
  ) {
    this.sends = metrics.counter('messenger_sends_total', 'Promotions by delivery outcome and reason', ['status', 'reason']);
    this.latency = metrics.histogram('send_api_latency_seconds', 'Send API call latency', ['outcome'], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
  }

  async execute(event: EventOf<typeof Topics.PromotionSendRequest>, nowMs = Date.now()): Promise<void> {
    const request = event.data;
    const previous = await this.ledger.claim(request.requestId);
    if (previous) {
      // Redelivered: report the outcome again (consumers deduplicate), never send again.
      if (previous.state === 'done') await this.report(event, previous.status, previous.messageId, previous.reason, null, previous.attempts);
      else await this.report(event, 'failed', null, 'interrupted_send_not_retried', null, 1);
      return;
    }
    if (Date.parse(request.expiresAt) <= nowMs) return this.finish(event, 'expired', null, 'expired_before_send', null, 0);
    const channel = await this.channels.get(request.pageId);
    if (!channel) return this.finish(event, 'skipped', null, 'page_not_connected', null, 0);

    const body = renderPromotion(request);
    let lastError: GraphError | null = null;
    let reason = 'temporary';
    for (let attempt = 1; attempt <= this.maxAttempts; attempt += 1) {
      const started = process.hrtime.bigint();
      const result = await this.sendApi.send(request.pageId, channel.pageAccessToken, body);
      this.latency.observe({ outcome: result.ok ? 'ok' : 'error' }, Number(process.hrtime.bigint() - started) / 1e9);
      if (result.ok) return this.finish(event, 'sent', result.messageId, null, null, attempt);
      lastError = result.error;
      const verdict = classifySendError(result.error, result.httpStatus);
      reason = verdict.reason;
      if (verdict.action !== 'retry') {
        const status: DeliveryOutcome = verdict.action === 'policy_skip' || verdict.action === 'skip_shopper' ? 'skipped' : 'failed';
        return this.finish(event, status, null, verdict.reason, lastError, attempt);
      }
      if (attempt < this.maxAttempts) await sleep(Math.min(200 * 2 ** (attempt - 1), 3000));
    }
    return this.finish(event, 'failed', null, `${reason}_retries_exhausted`, lastError, this.maxAttempts);
  }

  private async finish(
    event: EventOf<typeof Topics.PromotionSendRequest>,
    status: DeliveryOutcome,
    messageId: string | null,
    reason: string | null,
    error: GraphError | null,
    attempts: number,
  ): Promise<void> {
    await this.ledger.finish(event.data.requestId, { state: 'done', status, messageId, reason, attempts });
    this.sends.inc({ status, reason: reason ?? 'none' });
    this.logger.log({ requestId: event.data.requestId, shopperId: event.data.shopperId, offerId: event.data.offerId, status, reason, attempts }, 'delivery');
    await this.report(event, status, messageId, reason, error, attempts);
  }

  private async report(
    event: EventOf<typeof Topics.PromotionSendRequest>,
    status: DeliveryOutcome,
    messageId: string | null,
    reason: string | null,
    error: GraphError | null,
    attempts: number,
  ): Promise<void> {
    const r = event.data;
    await this.publisher.publish(
      Topics.DeliveryStatus,
      'delivery.status-changed',
      {
        shopperId: r.shopperId, pageId: r.pageId, psid: r.psid, brandId: r.brandId,
        requestId: r.requestId, offerId: r.offerId, storeId: r.storeId,
        status, messageId, reason, error, attempts, at: new Date().toISOString(),
      },
      { id: deterministicId('delivery-status', r.requestId, status) },
    );
  }
}
