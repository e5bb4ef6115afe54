import { ChannelDirectory } from '@app/channels';
import { Topics } from '@app/contracts';
import { DomainError } from '@app/http';
import { CoalescingPublisher, EventPublisher, Outgoing } from '@app/kafka';
import { Metrics } from '@app/observability';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { publishWithin } from '../publish-within';
import { MessageDedupRepository } from './message-dedup.repository';
import { isValidSignature } from './signature';
import { mapWebhook } from './webhook-mapper';
import { WebhookBody } from './webhook.schema';

export const PUBLISH_TIMEOUT_MS = Symbol('PUBLISH_TIMEOUT_MS');

export interface ReceiveWebhookCommand {
  rawBody: Buffer;
  signature256: string | undefined;
  receivedAt: Date;
}

/**
 * A signed webhook from Meta: verify it with the Page's app secret over the raw bytes, drop what
 * was already accepted, publish the rest and return only after Kafka acknowledged it, so that a
 * failure makes Meta retry instead of losing the events.
 */
@Injectable()
export class ReceiveWebhook {
  private readonly logger = new Logger(ReceiveWebhook.name);
  private readonly received;

  constructor(
    private readonly channels: ChannelDirectory,
    private readonly dedup: MessageDedupRepository,
    private readonly publisher: EventPublisher,
    private readonly coalescing: CoalescingPublisher,
    @Inject(PUBLISH_TIMEOUT_MS) private readonly publishTimeoutMs: number,
    metrics: Metrics,
  ) {
    this.received = metrics.counter('webhook_events_total', 'Webhook events by outcome', ['outcome']);
  }

  async execute(command: ReceiveWebhookCommand): Promise<{ published: number; duplicates: number }> {
    const body = this.parse(command.rawBody);
    const pageIds = [...new Set(body.entry.map((e) => e.id))];
    const brandOfPage = new Map<string, string>();
    let verified = false;
    for (const pageId of pageIds) {
      const channel = await this.channels.get(pageId);
      if (!channel) continue;
      if (!isValidSignature(command.rawBody, command.signature256, channel.appSecret)) {
        this.received.inc({ outcome: 'bad_signature' });
        throw new DomainError('FORBIDDEN', 'invalid X-Hub-Signature-256');
      }
      verified = true;
      brandOfPage.set(pageId, channel.brandId);
    }
    if (!verified) {
      this.received.inc({ outcome: 'unknown_page' });
      throw new DomainError('FORBIDDEN', 'no connected Page to verify this webhook with');
    }

    const mapped = mapWebhook(body, brandOfPage, command.receivedAt);
    const outgoing: Outgoing[] = [];
    const fresh = new Map<string, string[]>();
    let duplicates = 0;
    for (const pageId of brandOfPage.keys()) {
      const ofPage = mapped.events.filter((e) => e.data.pageId === pageId);
      const mids = [...new Set(ofPage.map((e) => e.data.messageId).filter((m): m is string => m !== null))];
      const seen = await this.dedup.seen(pageId, mids);
      fresh.set(pageId, mids.filter((m) => !seen.has(m)));
      for (const e of ofPage) {
        if (e.data.messageId && seen.has(e.data.messageId)) {
          duplicates += 1;
          continue;
        }
        outgoing.push(
          e.topic === Topics.ShopperLocation
            ? this.publisher.build(Topics.ShopperLocation, 'shopper.location-shared', e.data, { id: e.id })
            : this.publisher.build(Topics.ShopperInteraction, 'shopper.interacted', e.data, { id: e.id }),
        );
      }
    }
    try {
      await publishWithin(this.coalescing, outgoing, this.publishTimeoutMs);
    } catch (error) {
      this.logger.error(`webhook events not published: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
    // Not awaited: the answer does not wait for one more Redis round trip, which under load is one
    // more turn of a busy event loop (tens of ms). The commands are already queued on the
    // connection, ahead of any later request's MGET, so a retry of this webhook finds its ids; if
    // Redis fails here, a retry publishes its events again (at least once, as consumers expect).
    for (const [pageId, mids] of fresh) {
      this.dedup.remember(pageId, mids).catch((error: unknown) => {
        this.received.inc({ outcome: 'not_remembered' }, mids.length);
        this.logger.warn(`message ids of page ${pageId} not remembered for deduplication: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    this.received.inc({ outcome: 'published' }, outgoing.length);
    this.received.inc({ outcome: 'duplicate' }, duplicates);
    this.received.inc({ outcome: 'ignored' }, mapped.ignored);
    return { published: outgoing.length, duplicates };
  }

  private parse(rawBody: Buffer): WebhookBody {
    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new DomainError('VALIDATION_FAILED', 'webhook body is not JSON');
    }
    if ((json as { object?: unknown } | null)?.object !== 'page') {
      throw new DomainError('NOT_FOUND', 'only Page webhooks are handled');
    }
    const parsed = WebhookBody.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DomainError('VALIDATION_FAILED', `malformed webhook: ${issue.path.join('.')}: ${issue.message}`);
    }
    return parsed.data;
  }

}
