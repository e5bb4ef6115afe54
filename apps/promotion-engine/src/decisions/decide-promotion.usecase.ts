import { EventOf, PromotionSendRequest, Topics, deterministicId } from '@app/contracts';
import { EventPublisher } from '@app/kafka';
import { Metrics } from '@app/observability';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CatalogRepository } from '../catalog/catalog.repository';
import { ShopperStateRepository } from '../shoppers/shopper-state.repository';
import { DecisionLogRepository, VisitDecision } from './decision-log.repository';
import { decide } from './eligibility';

export interface EnginePolicy {
  windowHours: number;
  sendRequestTtlSeconds: number;
  defaultLocale: string;
}
export const ENGINE_POLICY = Symbol('ENGINE_POLICY');

/** A shopper entered (or dwelt at) a store: decide which promotion, if any, to send now. */
@Injectable()
export class DecidePromotion {
  private readonly logger = new Logger(DecidePromotion.name);
  private readonly decisions;

  constructor(
    private readonly catalog: CatalogRepository,
    private readonly shoppers: ShopperStateRepository,
    private readonly log: DecisionLogRepository,
    private readonly publisher: EventPublisher,
    @Inject(ENGINE_POLICY) private readonly policy: EnginePolicy,
    metrics: Metrics,
  ) {
    this.decisions = metrics.counter('promotion_decisions_total', 'Decisions by outcome and reason', ['outcome', 'reason']);
  }

  async execute(event: EventOf<typeof Topics.GeofenceTransition>, nowMs = Date.now()): Promise<void> {
    const t = event.data;
    if (t.transition === 'exit') return;
    const [offers, shopper, store] = await Promise.all([
      this.catalog.offersOfBrand(t.brandId),
      this.shoppers.get(t.shopperId),
      this.catalog.store(t.storeId),
    ]);
    const outcome = decide(offers, { transition: t, shopper, nowMs, windowHours: this.policy.windowHours });
    const decidedAt = new Date(nowMs).toISOString();
    let request: PromotionSendRequest | null = null;
    if (outcome.offer) {
      const offer = outcome.offer;
      const locale = this.policy.defaultLocale;
      const variant = offer.locales[locale] ? locale : 'default';
      request = {
        shopperId: t.shopperId,
        pageId: t.pageId,
        psid: t.psid,
        brandId: t.brandId,
        requestId: deterministicId('send', t.visitId, offer.offerId),
        offerId: offer.offerId,
        storeId: t.storeId,
        visitId: t.visitId,
        storeName: store?.name ?? '',
        ...(store ? { storeLocation: store.location } : {}),
        distanceM: t.distanceM,
        locale,
        variant,
        message: offer.locales[locale] ?? offer.message,
        decidedAt,
        expiresAt: new Date(nowMs + this.policy.sendRequestTtlSeconds * 1000).toISOString(),
      };
    }
    const proposed: VisitDecision = { decidedAt, reason: outcome.reason, considered: outcome.considered, request };
    const { decision, first } = await this.log.claim(t.shopperId, t.visitId, proposed);
    if (first) {
      this.decisions.inc({ outcome: decision.request ? 'send' : 'skip', reason: decision.reason ?? 'chosen' });
      this.logger.log({ shopperId: t.shopperId, storeId: t.storeId, visitId: t.visitId, offerId: decision.request?.offerId, reason: decision.reason }, 'decision');
    }
    // Re-published when the same visit is seen again: delivery deduplicates by requestId, so a
    // crash between the claim and the produce loses nothing and sends nothing twice.
    if (decision.request) {
      await this.publisher.publish(Topics.PromotionSendRequest, 'promotion.send-requested', decision.request, {
        id: deterministicId('send-request', decision.request.requestId),
      });
    }
  }
}
