import { LocationSource, Topics, toShopperId } from '@app/contracts';
import { CoalescingPublisher, EventPublisher, Outgoing } from '@app/kafka';
import { Metrics } from '@app/observability';
import { Inject, Injectable } from '@nestjs/common';
import { PUBLISH_TIMEOUT_MS } from '../webhook/receive-webhook.usecase';
import { publishWithin } from '../publish-within';

export interface IngestLocationCommand {
  pageId: string;
  psid: string;
  brandId: string;
  lat: number;
  lng: number;
  accuracyM: number | null;
  source: Exclude<LocationSource, 'messenger'>;
  /** When the device took the fix (epoch ms), if it said; never later than now. */
  takenAtMs: number | null;
  receivedAt: Date;
  /** The shopper's language and IANA time zone, when the device said. */
  locale?: string;
  timezone?: string;
}

/**
 * A fix from the location page or a brand's app, published on shopper.location.v1 once Kafka
 * acknowledged it. When the device also said the shopper's language or time zone, a
 * shopper.interaction.v1 (kind `location`, not a message: it opens no Messenger window) carries
 * them to the promotion engine in the same produce request.
 */
@Injectable()
export class IngestLocation {
  private readonly ingested;

  constructor(
    private readonly publisher: EventPublisher,
    private readonly coalescing: CoalescingPublisher,
    @Inject(PUBLISH_TIMEOUT_MS) private readonly publishTimeoutMs: number,
    metrics: Metrics,
  ) {
    this.ingested = metrics.counter('locations_ingested_total', 'Locations published, by source', ['source']);
  }

  async execute(command: IngestLocationCommand): Promise<{ id: string }> {
    const { pageId, psid, brandId, receivedAt } = command;
    const takenAtMs = Math.min(command.takenAtMs ?? receivedAt.getTime(), receivedAt.getTime());
    const outgoing = this.publisher.build(Topics.ShopperLocation, 'shopper.location-shared', {
      shopperId: toShopperId(pageId, psid),
      pageId,
      psid,
      brandId,
      lat: command.lat,
      lng: command.lng,
      accuracyM: command.accuracyM,
      source: command.source,
      sharedAt: new Date(takenAtMs).toISOString(),
      receivedAt: receivedAt.toISOString(),
      messageId: null,
    });
    const events: Outgoing[] = [outgoing];
    if (command.locale || command.timezone) {
      events.push(
        this.publisher.build(Topics.ShopperInteraction, 'shopper.interacted', {
          shopperId: toShopperId(pageId, psid),
          pageId,
          psid,
          brandId,
          kind: 'location',
          opensWindow: false,
          text: null,
          payload: null,
          command: null,
          messageId: null,
          watermark: null,
          at: new Date(takenAtMs).toISOString(),
          receivedAt: receivedAt.toISOString(),
          locale: command.locale ?? null,
          timezone: command.timezone ?? null,
        }),
      );
    }
    await publishWithin(this.coalescing, events, this.publishTimeoutMs);
    this.ingested.inc({ source: command.source });
    return { id: outgoing.event.id };
  }
}
