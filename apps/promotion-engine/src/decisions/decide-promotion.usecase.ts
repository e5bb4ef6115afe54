import { DecisionLogEntry, EventOf, OfferSnapshot, PromotionSendRequest, StoreSnapshot, Topics, deterministicId } from '@app/contracts';
import { EventPublisher } from '@app/kafka';
import { Metrics } from '@app/observability';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { hash } from 'node:crypto';
import { CatalogRepository } from '../catalog/catalog.repository';
import { InterestProfileRepository } from '../interests/interest-profile.repository';
import { scoresAt } from '../interests/interest-profile';
import { ENGINE_POLICY, EnginePolicy } from '../engine-policy';
import { ShopperStateRepository } from '../shoppers/shopper-state.repository';
import { Arm, armId, assignArm } from './ab-assignment';
import { CapsRepository, ReservationCandidate } from './caps.repository';
import { DecisionLogRepository } from './decision-log.repository';
import { DecisionContext, ReservationResult, evaluate, explain, isForStore } from './eligibility';

type Transition = EventOf<typeof Topics.GeofenceTransition>['data'];

/** Offers sent to the caps script per call (see reserve). */
const RESERVE_BATCH = 4;

/**
 * A shopper entered (or dwelt at) a store: decide which promotion, if any, to send now. The pure
 * rules (eligibility.ts) rank the offers; the caps script reserves the best one the counters
 * allow; the decision, sent or not, is logged with every offer considered and why.
 */
@Injectable()
export class DecidePromotion {
  private readonly logger = new Logger(DecidePromotion.name);
  private readonly decisions;

  constructor(
    private readonly catalog: CatalogRepository,
    private readonly shoppers: ShopperStateRepository,
    private readonly interests: InterestProfileRepository,
    private readonly caps: CapsRepository,
    private readonly log: DecisionLogRepository,
    private readonly publisher: EventPublisher,
    @Inject(ENGINE_POLICY) private readonly policy: EnginePolicy,
    metrics: Metrics,
  ) {
    this.decisions = metrics.counter('promotion_decisions_total', 'Decisions by outcome and reason', ['outcome', 'reason']);
  }

  async execute(event: EventOf<typeof Topics.GeofenceTransition>, nowMs = Date.now()): Promise<DecisionLogEntry | null> {
    const t = event.data;
    if (t.transition === 'exit') return null;
    const triggerId = t.locationEventId;
    // No look-up of an earlier decision first: a redelivered trigger is recognised by the caps
    // script (same reservation) and by the claim below, which hands back the first decision.
    const [brand, stored, store, profile] = await Promise.all([
      this.catalog.brand(t.brandId),
      this.shoppers.get(t.shopperId),
      this.catalog.store(t.storeId),
      this.interests.get(t.shopperId),
    ]);
    const offers = brand.offers;
    const ctx: DecisionContext = {
      transition: t,
      shopper: { ...stored, interests: scoresAt(profile, nowMs, this.policy.interestDecay) },
      store,
      nowMs,
      windowHours: this.policy.windowHours,
      quietHours: brand.settings?.quietHours === undefined ? this.policy.defaultQuietHours : brand.settings.quietHours,
      defaultLocale: this.policy.defaultLocale,
      interestThreshold: this.policy.interestThreshold,
    };
    const evaluation = evaluate(offers.filter((o) => isForStore(o, t.storeId)), ctx);
    const arms = new Map<string, Arm>(evaluation.ranked.map((r) => [r.offer.offerId, assignArm(r.offer, t.shopperId)]));
    const result = await this.reserve(t, triggerId, evaluation.day, nowMs, evaluation.ranked.map((r) => r.offer), arms);
    if (result.replayOf && !evaluation.ranked.some((r) => r.offer.offerId === result.replayOf)) {
      // Reserved before a crash, and the rules have moved since (the clock did): honour the reservation.
      const offer = offers.find((o) => o.offerId === result.replayOf);
      if (offer) {
        evaluation.ranked.unshift({ offer, interestScore: 0, distanceM: t.distanceM });
        arms.set(offer.offerId, assignArm(offer, t.shopperId));
      }
    }
    const decision = explain(evaluation, result);
    const arm = decision.offer ? (arms.get(decision.offer.offerId) ?? { kind: 'default' as const }) : null;
    const decidedAt = new Date(nowMs).toISOString();
    const request = decision.offer && arm && arm.kind !== 'control' ? this.request(t, decision.offer, arm, evaluation.locale, store, nowMs) : null;
    const outcome = request ? 'send' : decision.offer ? 'control' : 'skip';
    const proposed: DecisionLogEntry = {
      visitId: t.visitId,
      decidedAt,
      reason: outcome === 'control' ? 'control_group' : decision.reason,
      considered: decision.considered,
      request,
      outcome,
      ...(decision.offer ? { offerId: decision.offer.offerId, arm: armId(arm ?? { kind: 'default' }) } : {}),
      storeId: t.storeId,
      transition: t.transition,
      brandId: t.brandId,
      triggerId,
    };
    const { entry, first } = await this.log.claim(t.shopperId, triggerId, proposed);
    if (!first && result.reservedOfferId && !result.replayOf && entry.offerId !== result.reservedOfferId) {
      // A redelivered trigger whose first decision differs (the counters moved since): give back
      // what this second evaluation reserved; the first decision stands.
      await this.caps.release(t.brandId, t.shopperId, requestIdOf(t.visitId, result.reservedOfferId));
    }
    if (first) {
      this.decisions.inc({ outcome, reason: entry.reason ?? 'chosen' });
      this.logger.log({ shopperId: t.shopperId, storeId: t.storeId, visitId: t.visitId, offerId: entry.offerId, arm: entry.arm, outcome, reason: entry.reason }, 'decision');
    }
    // Re-published when the same trigger is seen again: a crash between the claim and the produce
    // loses nothing, and delivery never sends one requestId twice.
    await this.publish(entry.request);
    return entry;
  }

  private async reserve(
    t: Transition,
    triggerId: string,
    day: string,
    nowMs: number,
    ranked: OfferSnapshot[],
    arms: Map<string, Arm>,
  ): Promise<ReservationResult & { replayOf?: string }> {
    const refused: ReservationResult['refused'] = [];
    // Candidates go to the caps script a few at a time, best first: the best usually passes, so
    // most decisions hash request ids for a handful of offers, not all of them. Each call is atomic
    // on its own; the visit, replay and counter checks are made again by every call.
    for (let from = 0; from < ranked.length; from += RESERVE_BATCH) {
      const candidates: ReservationCandidate[] = ranked.slice(from, from + RESERVE_BATCH).map((offer) => ({
        offerId: offer.offerId,
        requestId: requestIdOf(t.visitId, offer.offerId),
        perShopperPerDay: offer.caps.perShopperPerDay,
        perShopperTotal: offer.caps.perShopperTotal,
        maxSends: offer.caps.maxSends,
        cooldownMinutes: offer.cooldownMinutes,
        spendsBudget: arms.get(offer.offerId)?.kind !== 'control',
      }));
      const outcome = await this.caps.reserve({ brandId: t.brandId, shopperId: t.shopperId, visitId: t.visitId, triggerId, day, nowMs, candidates });
      if (outcome.kind === 'replay') return { reservedOfferId: outcome.offerId, refused, replayOf: outcome.offerId };
      if (outcome.kind === 'visit_taken') {
        return { reservedOfferId: null, refused: [...refused, ...ranked.slice(from).map((o) => ({ offerId: o.offerId, reason: 'one_per_visit' as const }))] };
      }
      refused.push(...outcome.refused);
      if (outcome.reservedOfferId) return { reservedOfferId: outcome.reservedOfferId, refused };
    }
    return { reservedOfferId: null, refused };
  }

  private request(t: Transition, offer: OfferSnapshot, arm: Arm, locale: string, store: StoreSnapshot | null, nowMs: number): PromotionSendRequest {
    const base = arm.kind === 'variant' ? { message: arm.variant.message, locales: arm.variant.locales ?? {} } : { message: offer.message, locales: offer.locales };
    const variant = localeKeyFor(base.locales, locale);
    return {
      shopperId: t.shopperId,
      pageId: t.pageId,
      psid: t.psid,
      brandId: t.brandId,
      requestId: requestIdOf(t.visitId, offer.offerId),
      offerId: offer.offerId,
      storeId: t.storeId,
      visitId: t.visitId,
      storeName: store?.name ?? '',
      ...(store ? { storeLocation: store.location } : {}),
      distanceM: t.distanceM,
      locale,
      variant,
      message: variant === 'default' ? base.message : base.locales[variant],
      decidedAt: new Date(nowMs).toISOString(),
      ...(arm.kind === 'variant' ? { experimentArm: arm.variant.id } : {}),
      expiresAt: new Date(nowMs + this.policy.sendRequestTtlSeconds * 1000).toISOString(),
    };
  }

  private async publish(request: PromotionSendRequest | null): Promise<void> {
    if (!request) return;
    await this.publisher.publish(Topics.PromotionSendRequest, 'promotion.send-requested', request, {
      id: deterministicId('send-request', request.requestId),
    });
  }
}

/**
 * One request per visit and offer: its idempotency key downstream. The same id as
 * deterministicId('send', visitId, offerId), with the one-shot hash: it is drawn for every
 * candidate of every decision.
 */
export function requestIdOf(visitId: string, offerId: string): string {
  const h = hash('sha256', `send|${visitId}|${offerId}`, 'hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The offer's locale key for the shopper's locale: exact ("fr-CA"), then language ("fr"), else "default". */
export function localeKeyFor(locales: Record<string, unknown>, locale: string): string {
  const keys = Object.keys(locales);
  const exact = keys.find((k) => k.toLowerCase() === locale.toLowerCase());
  if (exact) return exact;
  const lang = locale.split('-')[0].toLowerCase();
  return keys.find((k) => k.toLowerCase() === lang) ?? 'default';
}
