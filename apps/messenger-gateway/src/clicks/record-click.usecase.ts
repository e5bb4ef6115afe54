import { ChannelDirectory, verifyClickLink } from '@app/channels';
import { Topics, parseShopperId } from '@app/contracts';
import { DomainError } from '@app/http';
import { CoalescingPublisher, EventPublisher } from '@app/kafka';
import { Metrics } from '@app/observability';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { publishWithin } from '../publish-within';
import { PUBLISH_TIMEOUT_MS } from '../webhook/receive-webhook.usecase';
import { LINK_KEY } from '../share-location/share-web-location.usecase';

/**
 * A shopper opened an offer's link: record a `click` interaction (payload = requestId) and send
 * them on. The shopper is redirected even when Kafka is away (the click is then lost and counted),
 * because a promotion link that does not open is worse than a missing statistic.
 */
@Injectable()
export class RecordClick {
  private readonly logger = new Logger(RecordClick.name);
  private readonly clicks;

  constructor(
    @Inject(LINK_KEY) private readonly linkKey: Buffer,
    private readonly channels: ChannelDirectory,
    private readonly publisher: EventPublisher,
    private readonly coalescing: CoalescingPublisher,
    @Inject(PUBLISH_TIMEOUT_MS) private readonly publishTimeoutMs: number,
    metrics: Metrics,
  ) {
    this.clicks = metrics.counter('offer_clicks_total', 'Offer link clicks, by outcome', ['outcome']);
  }

  async execute(requestId: string, token: unknown, at: Date): Promise<string> {
    const claims = verifyClickLink(this.linkKey, requestId, token);
    if (!claims) {
      this.clicks.inc({ outcome: 'invalid_link' });
      throw new DomainError('NOT_FOUND', 'unknown link');
    }
    try {
      const { pageId, psid } = parseShopperId(claims.shopperId);
      const channel = await this.channels.get(pageId);
      if (channel) {
        const outgoing = this.publisher.build(Topics.ShopperInteraction, 'shopper.interacted', {
          shopperId: claims.shopperId, pageId, psid, brandId: channel.brandId,
          kind: 'click', opensWindow: false, text: null, payload: requestId, command: null,
          messageId: null, watermark: null, at: at.toISOString(), receivedAt: at.toISOString(),
        });
        await publishWithin(this.coalescing, [outgoing], this.publishTimeoutMs);
      }
      this.clicks.inc({ outcome: channel ? 'recorded' : 'page_gone' });
    } catch (error) {
      this.clicks.inc({ outcome: 'not_recorded' });
      this.logger.error({ requestId, error: error instanceof Error ? error.message : String(error) }, 'click not recorded');
    }
    return claims.url;
  }
}
