import { DecisionLogEntry, EventOf, OfferSnapshot, PromotionSendRequest, StoreSnapshot, Topics, deterministicId } from '@app/contracts';
import { EventPublisher, Outgoing } from '@app/kafka';
import { Metrics } from '@app/observability';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { context, propagation } from '@opentelemetry/api';
import { hash } from 'node:crypto';
import { BrandCatalog, CatalogRepository } from '../catalog/catalog.repository';
import { scoresAt } from '../interests/interest-profile';
import { ENGINE_POLICY, EnginePolicy } from '../engine-policy';
import { ShopperStateRepository, ShopperWithInterests } from '../shoppers/shopper-state.repository';
import { Arm, armId, assignArm } from './ab-assignment';
import { CapsRepository, ReservationCandidate, ReservationOutcome, ReservationRequest } from './caps.repository';
import { Claimed, DecisionLogRepository } from './decision-log.repository';
import { DecisionContext, Evaluation, ReservationResult, evaluate, explain, isForStore } from './eligibility';

type Transition = EventOf<typeof Topics.GeofenceTransition>['data'];
type TransitionEvent = EventOf<typeof Topics.GeofenceTransition>;

const NO_TRACES: ReadonlyMap<string, Record<string, string>> = new Map();

/** Offers sent to the caps script per decision and round (see reserve). */
const RESERVE_BATCH = 4;

/** One decision in the making: its transition, what the rules found, what the counters answered. */
interface Pending {
  index: number;
  t: Transition;
  brand: BrandCatalog;
  store: StoreSnapshot | null;
  evaluation: Evaluation;
  /** A/B arms and request ids, drawn for the offers the counters are asked about (and the chosen one). */
  arms: Map<string, Arm>;
  requestIds: Map<string, string>;
  result: ReservationResult & { replayOf?: string };
  /** Rank of the next candidates to try; -1 once the counters have answered. */
  next: number;
}

/**
 * A shopper entered (or dwelt at) a store: decide which promotion, if any, to send now. The pure
 * rules (eligibility.ts) rank the offers; the caps script reserves the best one the counters
 * allow; the decision, sent or not, is logged with every offer considered and why.
 *
 * Decisions are made a Kafka batch at a time: per brand, one script call reads every shopper's
 * state, one reserves (caps script), one claims the triggers and logs the decisions (each call
 * carries up to 128 decisions); the catalog is read once per brand and store, and one produce
 * request carries every send request. A shopper's transitions are decided in their order: the
 * k-th transition of a shopper in the batch is decided in the k-th wave, after the waves before
 * it are settled.
 */
@Injectable()
export class DecidePromotion {
  private readonly logger = new Logger(DecidePromotion.name);
  private readonly decisions;
  /** Offers meant for a store, per brand offer list (a new list when the brand's offers change). */
  private readonly storeOffers = new WeakMap<OfferSnapshot[], Map<string, OfferSnapshot[]>>();

  constructor(
    private readonly catalog: CatalogRepository,
    private readonly shoppers: ShopperStateRepository,
    private readonly caps: CapsRepository,
    private readonly log: DecisionLogRepository,
    private readonly publisher: EventPublisher,
    @Inject(ENGINE_POLICY) private readonly policy: EnginePolicy,
    metrics: Metrics,
  ) {
    this.decisions = metrics.counter('promotion_decisions_total', 'Decisions by outcome and reason', ['outcome', 'reason']);
  }

  async execute(event: TransitionEvent, nowMs = Date.now()): Promise<DecisionLogEntry | null> {
    return (await this.executeBatch([event], nowMs))[0];
  }

  /**
   * Decides a batch of transitions (in the order of their partition) and publishes the send
   * requests; resolves once Kafka acknowledged them, so the caller may then commit the offsets.
   * Returns each transition's decision (null for exits). `traces` maps an event's id to the W3C
   * trace headers it came with: its log line and send request continue that trace.
   */
  async executeBatch(events: TransitionEvent[], nowMs = Date.now(), traces: ReadonlyMap<string, Record<string, string>> = NO_TRACES): Promise<(DecisionLogEntry | null)[]> {
    const entries: (DecisionLogEntry | null)[] = new Array<DecisionLogEntry | null>(events.length).fill(null);
    for (const wave of wavesOf(events)) await this.decideWave(events, wave, nowMs, entries, traces);
    const outgoing: Outgoing[] = [];
    entries.forEach((entry, i) => {
      // Re-published when the same trigger is seen again: a crash between the claim and the
      // produce loses nothing, and delivery never sends one requestId twice.
      if (!entry?.request) return;
      const built = this.publisher.build(Topics.PromotionSendRequest, 'promotion.send-requested', entry.request, { id: deterministicId('send-request', entry.request.requestId) });
      const trace = traces.get(events[i].id);
      outgoing.push(trace ? { topic: built.topic, event: built.event, headers: trace } : built);
    });
    await this.publisher.publishAll(outgoing);
    return entries;
  }

  /** Decides transitions of distinct shoppers (one wave) and logs them. */
  private async decideWave(
    events: TransitionEvent[],
    wave: number[],
    nowMs: number,
    entries: (DecisionLogEntry | null)[],
    traces: ReadonlyMap<string, Record<string, string>>,
  ): Promise<void> {
    const brandIds = new Set<string>();
    const storeIds = new Set<string>();
    for (const i of wave) {
      brandIds.add(events[i].data.brandId);
      storeIds.add(events[i].data.storeId);
    }
    // Every read leaves in the same tick: the catalog's through ioredis's auto-pipeline, the
    // shoppers' in one script call per brand.
    const [brands, stores, states] = await Promise.all([
      this.readAll([...brandIds], (id) => this.catalog.brand(id)),
      this.readAll([...storeIds], (id) => this.catalog.store(id)),
      this.readShoppers(events, wave),
    ]);
    const pending: Pending[] = wave.map((index, w) => {
      const t = events[index].data;
      const brand = brands.get(t.brandId) as BrandCatalog;
      const store = stores.get(t.storeId) ?? null;
      const state = states[w];
      const ctx: DecisionContext = {
        transition: t,
        shopper: {
          optedOut: state.optedOut,
          lastInboundAtMs: state.lastInboundAtMs,
          locale: state.locale,
          timezone: state.timezone,
          tags: state.tags,
          interests: scoresAt(state.profile, nowMs, this.policy.interestDecay),
        },
        store,
        nowMs,
        windowHours: this.policy.windowHours,
        quietHours: brand.settings?.quietHours === undefined ? this.policy.defaultQuietHours : brand.settings.quietHours,
        defaultLocale: this.policy.defaultLocale,
        interestThreshold: this.policy.interestThreshold,
      };
      const evaluation = evaluate(this.offersFor(brand.offers, t.storeId), ctx);
      return { index, t, brand, store, evaluation, arms: new Map(), requestIds: new Map(), result: { reservedOfferId: null, refused: [] }, next: 0 };
    });
    await this.reserve(pending, nowMs);
    // Each decision claims its trigger and is logged: one script call per brand.
    const releases: Promise<unknown>[] = [];
    await Promise.all(
      [...byBrand(pending)].map(async ([brandId, group]) => {
        const claimed = await this.log.claimMany(brandId, group.map((p) => ({ shopperId: p.t.shopperId, triggerId: p.t.locationEventId, entry: this.propose(p, nowMs) })));
        group.forEach((p, k) => {
          entries[p.index] = claimed[k].entry;
          const release = this.afterClaim(p, claimed[k], traces.get(events[p.index].id));
          if (release) releases.push(release);
        });
      }),
    );
    await Promise.all(releases);
  }

  /** The state of the wave's shoppers, in the wave's order: one read per brand. */
  private async readShoppers(events: TransitionEvent[], wave: number[]): Promise<ShopperWithInterests[]> {
    const states: ShopperWithInterests[] = new Array(wave.length);
    const positions = byBrand(wave.map((index, w) => ({ t: events[index].data, w })));
    await Promise.all(
      [...positions].map(async ([brandId, group]) => {
        const read = await this.shoppers.getManyWithInterests(brandId, group.map((g) => g.t.shopperId));
        group.forEach((g, k) => (states[g.w] = read[k]));
      }),
    );
    return states;
  }

  private async readAll<T>(ids: string[], read: (id: string) => Promise<T>): Promise<Map<string, T>> {
    const values = await Promise.all(ids.map(read));
    return new Map(ids.map((id, i) => [id, values[i]]));
  }

  /** The brand's offers meant for the store, computed once per offer list. */
  private offersFor(offers: OfferSnapshot[], storeId: string): OfferSnapshot[] {
    let byStore = this.storeOffers.get(offers);
    if (!byStore) {
      byStore = new Map();
      this.storeOffers.set(offers, byStore);
    }
    let forStore = byStore.get(storeId);
    if (!forStore) {
      forStore = offers.filter((o) => isForStore(o, storeId));
      byStore.set(storeId, forStore);
    }
    return forStore;
  }

  /**
   * Candidates go to the caps script a few per decision at a time, best first, in rounds: the best
   * usually passes, so most decisions hash request ids for a handful of offers, not all of them.
   * Each round makes one script call per brand for all its decisions; each call is atomic, and the
   * visit, replay and counter checks are made again by every call.
   */
  private async reserve(pending: Pending[], nowMs: number): Promise<void> {
    let open = pending.filter((p) => p.evaluation.ranked.length > 0);
    while (open.length > 0) {
      await Promise.all(
        [...byBrand(open)].map(async ([brandId, group]) => {
          const requests: ReservationRequest[] = group.map((p) => ({
            brandId,
            shopperId: p.t.shopperId,
            visitId: p.t.visitId,
            triggerId: p.t.locationEventId,
            day: p.evaluation.day,
            nowMs,
            candidates: p.evaluation.ranked.slice(p.next, p.next + RESERVE_BATCH).map((r) => candidateOf(p, r.offer)),
          }));
          const outcomes = await this.caps.reserveMany(brandId, requests);
          group.forEach((p, i) => settle(p, outcomes[i]));
        }),
      );
      open = open.filter((p) => p.next >= 0);
    }
  }

  /** Explains the decision: the log entry it proposes for its trigger. */
  private propose(p: Pending, nowMs: number): DecisionLogEntry {
    const { t, evaluation, result } = p;
    if (result.replayOf && !evaluation.ranked.some((r) => r.offer.offerId === result.replayOf)) {
      // Reserved before a crash, and the rules have moved since (the clock did): honour the reservation.
      const offer = p.brand.offers.find((o) => o.offerId === result.replayOf);
      if (offer) evaluation.ranked.unshift({ offer, interestScore: 0, distanceM: t.distanceM });
    }
    const decision = explain(evaluation, result);
    const arm = decision.offer ? armOf(p, decision.offer) : null;
    const decidedAt = decidedIso(nowMs);
    const request = decision.offer && arm && arm.kind !== 'control' ? this.request(p, decision.offer, arm, evaluation.locale, decidedAt, nowMs) : null;
    const outcome = request ? 'send' : decision.offer ? 'control' : 'skip';
    // One object per decision, no spreads: an absent field is undefined (JSON leaves it out).
    const proposed: DecisionLogEntry = {
      visitId: t.visitId,
      decidedAt,
      reason: outcome === 'control' ? 'control_group' : decision.reason,
      considered: decision.considered,
      request,
      outcome,
      offerId: decision.offer?.offerId,
      arm: arm ? armId(arm) : undefined,
      storeId: t.storeId,
      transition: t.transition,
      brandId: t.brandId,
      triggerId: t.locationEventId,
    };
    return proposed;
  }

  /**
   * After the claim: a first decision is counted and logged; a redelivered trigger got its first
   * decision back, and what this second evaluation reserved, if that differs, is given back (the
   * release's promise; the counters moved since, and the first decision stands).
   */
  private afterClaim(p: Pending, { entry, first }: Claimed, trace: Record<string, string> | undefined): Promise<boolean> | null {
    const { t, result } = p;
    const outcome = entry.outcome ?? 'skip';
    if (!first) {
      const again = result.reservedOfferId && !result.replayOf && entry.offerId !== result.reservedOfferId;
      return again ? this.caps.release(t.brandId, t.shopperId, requestIdOf(t.visitId, result.reservedOfferId as string)) : null;
    }
    this.decisions.inc({ outcome, reason: entry.reason ?? 'chosen' });
    const line = { shopperId: t.shopperId, storeId: t.storeId, visitId: t.visitId, offerId: entry.offerId, arm: entry.arm, outcome, reason: entry.reason };
    // Every decision is in the decision log; the process log keeps the sends at info level.
    const write = () => (outcome === 'skip' ? this.logger.debug(line, 'decision') : this.logger.log(line, 'decision'));
    if (trace) context.with(propagation.extract(context.active(), trace), write);
    else write();
    return null;
  }

  private request(p: Pending, offer: OfferSnapshot, arm: Arm, locale: string, decidedAt: string, nowMs: number): PromotionSendRequest {
    const { t, store } = p;
    const message = arm.kind === 'variant' ? arm.variant.message : offer.message;
    const locales = arm.kind === 'variant' ? (arm.variant.locales ?? {}) : offer.locales;
    const variant = localeKeyFor(locales, locale);
    // No spreads: an absent optional field is undefined (JSON leaves it out).
    return {
      shopperId: t.shopperId,
      pageId: t.pageId,
      psid: t.psid,
      brandId: t.brandId,
      requestId: requestIdFor(p, offer.offerId),
      offerId: offer.offerId,
      storeId: t.storeId,
      visitId: t.visitId,
      storeName: store?.name ?? '',
      storeLocation: store?.location,
      distanceM: t.distanceM,
      locale,
      variant,
      message: variant === 'default' ? message : locales[variant],
      decidedAt,
      experimentArm: arm.kind === 'variant' ? arm.variant.id : undefined,
      expiresAt: expiresIso(nowMs + this.policy.sendRequestTtlSeconds * 1000),
    };
  }
}

// A batch's decisions share one instant (and one expiry): each ISO form is made once, not per decision.
function lastIsoOf(): (ms: number) => string {
  let last = { ms: NaN, iso: '' };
  return (ms) => {
    if (last.ms !== ms) last = { ms, iso: new Date(ms).toISOString() };
    return last.iso;
  };
}
const decidedIso = lastIsoOf();
const expiresIso = lastIsoOf();

/** The shopper's arm of an offer's experiment (sticky: a hash), drawn once per decision. */
function armOf(p: Pending, offer: OfferSnapshot): Arm {
  let arm = p.arms.get(offer.offerId);
  if (!arm) {
    arm = assignArm(offer, p.t.shopperId);
    p.arms.set(offer.offerId, arm);
  }
  return arm;
}

/** The send request's id for an offer of this visit, hashed once per decision. */
function requestIdFor(p: Pending, offerId: string): string {
  let id = p.requestIds.get(offerId);
  if (!id) {
    id = requestIdOf(p.t.visitId, offerId);
    p.requestIds.set(offerId, id);
  }
  return id;
}

/** The candidate the caps script needs for one ranked offer. */
function candidateOf(p: Pending, offer: OfferSnapshot): ReservationCandidate {
  return {
    offerId: offer.offerId,
    requestId: requestIdFor(p, offer.offerId),
    perShopperPerDay: offer.caps.perShopperPerDay,
    perShopperTotal: offer.caps.perShopperTotal,
    maxSends: offer.caps.maxSends,
    cooldownMinutes: offer.cooldownMinutes,
    spendsBudget: armOf(p, offer).kind !== 'control',
  };
}

/** Folds one round's answer of the caps script into the decision; `next` is -1 once it is final. */
function settle(p: Pending, outcome: ReservationOutcome): void {
  const { ranked } = p.evaluation;
  if (outcome.kind === 'replay') {
    p.result = { reservedOfferId: outcome.offerId, refused: p.result.refused, replayOf: outcome.offerId };
    p.next = -1;
  } else if (outcome.kind === 'visit_taken' || outcome.kind === 'share_taken') {
    const reason = outcome.kind === 'visit_taken' ? ('one_per_visit' as const) : ('one_per_share' as const);
    const rest = ranked.slice(p.next).map((r) => ({ offerId: r.offer.offerId, reason }));
    p.result = { reservedOfferId: null, refused: [...p.result.refused, ...rest] };
    p.next = -1;
  } else {
    p.result.refused.push(...outcome.refused);
    p.result.reservedOfferId = outcome.reservedOfferId;
    p.next = outcome.reservedOfferId || p.next + RESERVE_BATCH >= ranked.length ? -1 : p.next + RESERVE_BATCH;
  }
}

/** Items by their transition's brand (the caps, shopper and log keys of one brand share a hash tag). */
function byBrand<T extends { t: { brandId: string } }>(items: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.t.brandId);
    if (group) group.push(item);
    else groups.set(item.t.brandId, [item]);
  }
  return groups;
}

/**
 * Splits a batch into waves where each shopper appears once: the k-th of a shopper's transitions
 * goes to wave k. Exits decide nothing. Transitions one location share caused at several stores
 * (overlapping fences) are taken nearest store first, so that store gets the share's one promotion
 * (`one_per_share`).
 */
export function wavesOf(events: { data: { shopperId: string; transition: string; locationEventId?: string; distanceM?: number } }[]): number[][] {
  const byShopper = new Map<string, number[]>();
  events.forEach((event, i) => {
    if (event.data.transition === 'exit') return;
    const list = byShopper.get(event.data.shopperId);
    if (list) list.push(i);
    else byShopper.set(event.data.shopperId, [i]);
  });
  const waves: number[][] = [];
  for (const list of byShopper.values()) {
    // Shares keep their order; a run of one share's transitions is sorted nearest first.
    const ordered: number[] = [];
    for (let from = 0; from < list.length; ) {
      const share = events[list[from]].data.locationEventId;
      let to = from + 1;
      while (to < list.length && share !== undefined && events[list[to]].data.locationEventId === share) to += 1;
      ordered.push(...list.slice(from, to).sort((a, b) => (events[a].data.distanceM ?? 0) - (events[b].data.distanceM ?? 0) || a - b));
      from = to;
    }
    ordered.forEach((i, k) => (waves[k] ??= []).push(i));
  }
  return waves;
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
