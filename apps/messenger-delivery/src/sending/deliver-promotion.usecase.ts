import { Channel, signClickLink } from '@app/channels';
import { DeliveryOutcome, EventOf, RETRY_SCHEDULES, Topics, deadLetterTopic, deterministicId, retryTopic } from '@app/contracts';
import { CoalescingPublisher, EventPublisher } from '@app/kafka';
import { Metrics } from '@app/observability';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PacedSendApi } from './paced-send-api';
import { PageChannels } from './page-channels';
import { PageHealthRepository } from './page-health.repository';
import { renderPromotion } from './render';
import { retryDelayMs } from './retry-policy';
import { GraphError, classifySendError } from './send-api-errors';
import { SendLedgerRepository } from './send-ledger.repository';

export const DELIVERY_SETTINGS = Symbol('DELIVERY_SETTINGS');

export interface DeliverySettings {
  /** Where shoppers reach the gateway (click redirect, location page). */
  gatewayPublicUrl: string;
  linkKey: Buffer;
  /** How long a shopper Meta calls unavailable (551) is not sent to. */
  unreachableForMs: number;
  /** How long a Page Meta restricted (10/1893063) is paused. */
  restrictedPauseMs: number;
  /** A send found still `sending` for longer than this was interrupted (a crash), not in progress elsewhere. */
  interruptedAfterMs: number;
  maxAttempts: number;
  /** One per retry topic. */
  retryDelaysMs: readonly number[];
}

type SendRequestEvent = EventOf<typeof Topics.PromotionSendRequest>;

/** How many `.retry.<n>` topics exist (scripts/provision-topics.ts creates them from the contract). */
export const RETRY_TOPICS = RETRY_SCHEDULES.find((s) => s.topic === Topics.PromotionSendRequest)?.delaysMs.length ?? 0;

/**
 * Sends one promotion through the Send API, at most once, and reports what happened on
 * delivery.status.v1. Attempt 1 comes from promotion.send-request.v1, attempt n+1 from
 * `.retry.n` after a temporary error; after the last retry the request goes to `.dlq`.
 */
@Injectable()
export class DeliverPromotion {
  private readonly logger = new Logger(DeliverPromotion.name);
  private readonly sends;
  private readonly retries;
  private readonly latency;

  constructor(
    private readonly channels: PageChannels,
    private readonly ledger: SendLedgerRepository,
    private readonly health: PageHealthRepository,
    private readonly sendApi: PacedSendApi,
    private readonly publisher: EventPublisher,
    private readonly statuses: CoalescingPublisher,
    @Inject(DELIVERY_SETTINGS) private readonly settings: DeliverySettings,
    metrics: Metrics,
  ) {
    this.sends = metrics.counter('messenger_sends_total', 'Promotions by delivery outcome and reason', ['status', 'reason']);
    this.retries = metrics.counter('messenger_send_retries_total', 'Promotions scheduled for a delayed retry, by retry number and reason', ['retry', 'reason']);
    this.latency = metrics.histogram('send_api_latency_seconds', 'Send API call latency', ['outcome'], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
  }

  async execute(event: SendRequestEvent, attempt = 1): Promise<void> {
    const request = event.data;
    const token = randomUUID();
    const previous = await this.ledger.claim(request.requestId, attempt, Date.now(), token);
    if (previous) return this.redelivered(event, previous, attempt);
    const expiresAtMs = Date.parse(request.expiresAt);
    if (expiresAtMs <= Date.now()) return this.finish(event, 'expired', null, 'expired_before_send', null, attempt - 1);
    const channel = await this.channels.get(request.pageId);
    if (!channel) return this.finish(event, 'skipped', null, 'page_not_connected', null, attempt - 1);
    if (channel === 'unreadable') return this.finish(event, 'failed', null, 'channel_secrets_unreadable', null, attempt - 1);
    const pause = await this.health.pauseOf(request.pageId);
    if (pause && pause.channelVersion >= channel.version) return this.finish(event, 'failed', null, `page_paused_${pause.reason}`, null, attempt - 1);
    if (pause) await this.reconnected(channel);
    if (await this.health.isUnreachable(request.shopperId)) return this.finish(event, 'skipped', null, 'shopper_unreachable', null, attempt - 1);

    const body = renderPromotion(request, { trackedOfferUrl: this.trackedOfferUrl(event) });
    const started = process.hrtime.bigint();
    const result = await this.sendApi.send(request.pageId, channel.pageAccessToken, body, expiresAtMs, () =>
      this.ledger.startSending(request.requestId, token, Date.now()),
    );
    if (result === 'taken_over') {
      // A redelivered copy (this one failed on the way, or was thought dead) holds the attempt now.
      this.logger.log({ requestId: request.requestId, attempt }, 'send taken over by a redelivered copy');
      return;
    }
    if (result === 'deadline') return this.finish(event, 'expired', null, 'expired_waiting_for_rate_limit', null, attempt - 1);
    this.latency.observe({ outcome: result.ok ? 'ok' : 'error' }, Number(process.hrtime.bigint() - started) / 1e9);
    if (result.ok) return this.finish(event, 'sent', result.messageId, null, null, attempt);

    const verdict = classifySendError(result.error, result.httpStatus, result.timedOut);
    switch (verdict.action) {
      case 'retry':
        return this.retryLater(event, attempt, verdict.reason, result.error);
      case 'policy_skip':
      case 'skip_shopper':
        return this.finish(event, 'skipped', null, verdict.reason, result.error, attempt);
      case 'unreachable':
        await this.health.markUnreachable(request.shopperId, this.settings.unreachableForMs);
        return this.finish(event, 'skipped', null, verdict.reason, result.error, attempt);
      case 'pause_page':
        await this.pausePage(channel, verdict.reason);
        return this.finish(event, 'failed', null, verdict.reason, result.error, attempt);
      case 'unknown_outcome':
        // The call may have reached Meta: repeating it could send the promotion twice.
        return this.finish(event, 'failed', null, 'timeout_outcome_unknown', null, attempt);
      case 'drop':
        return this.finish(event, 'failed', null, verdict.reason, result.error, attempt);
    }
  }

  private trackedOfferUrl(event: SendRequestEvent): string | null {
    const r = event.data;
    if (!r.message.url) return null;
    const token = signClickLink(this.settings.linkKey, { requestId: r.requestId, shopperId: r.shopperId, offerId: r.offerId, url: r.message.url });
    return `${this.settings.gatewayPublicUrl}/r/${encodeURIComponent(r.requestId)}?t=${token}`;
  }

  private async redelivered(event: SendRequestEvent, previous: Awaited<ReturnType<SendLedgerRepository['claim']>>, attempt: number): Promise<void> {
    if (!previous) return;
    if (previous.state === 'done') {
      // A redelivery: report the outcome again (consumers deduplicate by event id), never send again.
      return this.report(event, previous.status, previous.messageId, previous.reason, null, previous.attempts);
    }
    if (previous.state === 'retrying' && previous.attempt > attempt) {
      // This attempt already failed and its retry was scheduled; make sure the retry exists.
      return this.scheduleRetry(event, previous.attempt - 1);
    }
    if (previous.state === 'sending' && Date.now() - previous.since > this.settings.interruptedAfterMs) {
      return this.finish(event, 'failed', null, 'interrupted_send_not_retried', null, previous.attempt);
    }
    // Another replica is sending it right now, or a stale copy of an older attempt: nothing to do.
    this.logger.log({ requestId: event.data.requestId, attempt, ledger: previous.state }, 'duplicate send request ignored');
  }

  private async retryLater(event: SendRequestEvent, attempt: number, reason: string, error: GraphError | null): Promise<void> {
    if (attempt >= this.settings.maxAttempts) {
      await this.publisher.forward(Topics.PromotionSendRequest, deadLetterTopic(Topics.PromotionSendRequest), event, {
        'dlq-reason': 'retries_exhausted',
        'dlq-error': error ? `${error.code}/${error.subcode ?? ''} ${error.message}`.slice(0, 500) : reason,
        'dlq-failed-at': new Date().toISOString(),
      });
      return this.finish(event, 'failed', null, `${reason}_retries_exhausted`, error, attempt);
    }
    await this.ledger.retryLater(event.data.requestId, attempt + 1, Date.now());
    this.retries.inc({ retry: String(attempt), reason });
    await this.scheduleRetry(event, attempt);
  }

  /** Retry n (after attempt n failed) goes to `<topic>.retry.n` (the last one beyond), due after its delay. */
  private async scheduleRetry(event: SendRequestEvent, retry: number): Promise<void> {
    const topic = Math.min(retry, RETRY_TOPICS);
    const delayMs = retryDelayMs(topic, this.settings.retryDelaysMs, Math.random()) ?? 0;
    await this.publisher.forward(Topics.PromotionSendRequest, retryTopic(Topics.PromotionSendRequest, topic), event, {
      'retry-attempt': String(retry + 1),
      'retry-due-at': String(Date.now() + delayMs),
    });
  }

  private async pausePage(channel: Channel, reason: string): Promise<void> {
    const broken = reason === 'invalid_token';
    const untilMs = broken ? null : Date.now() + this.settings.restrictedPauseMs;
    await this.health.pause(channel.pageId, { reason, channelVersion: channel.version, untilMs }, Date.now());
    this.logger.warn({ pageId: channel.pageId, brandId: channel.brandId, reason }, 'page paused');
    await this.publishHealth(channel, broken ? 'broken' : 'paused', reason, untilMs);
  }

  private async reconnected(channel: Channel): Promise<void> {
    await this.health.resume(channel.pageId);
    await this.publishHealth(channel, 'ok', 'channel_reconnected', null);
  }

  private async publishHealth(channel: Channel, status: 'ok' | 'paused' | 'broken', reason: string, untilMs: number | null): Promise<void> {
    await this.publisher.publish(
      Topics.ChannelHealth,
      'channel.health-changed',
      {
        pageId: channel.pageId,
        brandId: channel.brandId,
        status,
        reason,
        channelVersion: channel.version,
        until: untilMs === null ? null : new Date(untilMs).toISOString(),
        at: new Date().toISOString(),
      },
      { id: deterministicId('channel-health', channel.pageId, String(channel.version), status) },
    );
  }

  private async finish(
    event: SendRequestEvent,
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
    event: SendRequestEvent,
    status: DeliveryOutcome,
    messageId: string | null,
    reason: string | null,
    error: GraphError | null,
    attempts: number,
  ): Promise<void> {
    const r = event.data;
    await this.statuses.publish(
      this.publisher.build(
        Topics.DeliveryStatus,
        'delivery.status-changed',
        {
          shopperId: r.shopperId, pageId: r.pageId, psid: r.psid, brandId: r.brandId,
          requestId: r.requestId, offerId: r.offerId, storeId: r.storeId,
          status, messageId, reason, error, attempts, at: new Date().toISOString(),
        },
        { id: deterministicId('delivery-status', r.requestId, status) },
      ),
    );
  }
}
