import { EventOf, Topics, deterministicId } from '@app/contracts';
import { EventPublisher, Outgoing, roundsByKey } from '@app/kafka';
import { Metrics } from '@app/observability';
import { Inject, Injectable } from '@nestjs/common';
import { DwellThresholdRepository } from '../dwell/dwell-threshold.repository';
import { BrandDwellThresholds } from '../dwell/dwell-thresholds';
import { IndexedStore, StoreIndexRepository } from '../store-index/store-index.repository';
import { Fix, QualityPolicy, RejectReason, judgeFix, judgeFixAlone } from './location-quality';
import { VisitPolicy, proposeTransitions } from './visit-rules';
import { AppliedTransition, FixToApply, FixToRecord, ShopperState, VisitStateRepository } from './visit-state.repository';

export interface GeofencePolicy extends QualityPolicy, VisitPolicy {
  stateTtlSeconds: number;
}
export const GEOFENCE_POLICY = Symbol('GEOFENCE_POLICY');
/** Which deployment emitted a transition (`emitted-by` header): `<KAFKA_GROUP_PREFIX>geofence`. */
export const EMITTED_BY = Symbol('EMITTED_BY');

type LocationEvent = EventOf<typeof Topics.ShopperLocation>;
type TransitionEvent = EventOf<typeof Topics.GeofenceTransition, 'geofence.transitioned'>;

/** Transitions per produce request (about 700 bytes each). */
const PUBLISH_SLICE = 500;

/** One location event of a wave, as far as it got before its writes. */
interface Pending {
  /** Its place in the wave. */
  at: number;
  event: LocationEvent;
  fix: Fix;
  state: ShopperState;
  candidates: IndexedStore[];
  thresholds: BrandDwellThresholds;
  /** The last event again (a redelivery): not judged, since its fix is the last accepted one. */
  replay: boolean;
  /** Why the fix does not count against the shopper's last one (judgeFix), or null. */
  rejected: RejectReason | null;
  /** Set when the event was seen before and caused transitions: they go out again. */
  earlier: AppliedTransition[] | null;
}

/**
 * Is the shopper, now, at one of the brand's stores? Evaluates a batch of location events in
 * waves: wave k holds every shopper's k-th event, so each shopper's events are evaluated one after
 * the other in their order and different shoppers at once. A wave reads its shoppers' states in
 * one batch script per Page, searches the index in one batch script per brand, runs the exact
 * tests, then records the fixes that change no visit in one batch script per Page and applies the
 * others in one more (APPLY_FIXES, atomic per shopper). Every resulting transition goes out in one
 * produce request per batch. The rules are in location-quality.ts (which fixes count) and
 * visit-rules.ts (what they change).
 */
@Injectable()
export class EvaluateLocations {
  private readonly outcomes;
  private readonly transitions;

  constructor(
    private readonly index: StoreIndexRepository,
    private readonly visits: VisitStateRepository,
    private readonly dwell: DwellThresholdRepository,
    private readonly publisher: EventPublisher,
    @Inject(GEOFENCE_POLICY) private readonly policy: GeofencePolicy,
    @Inject(EMITTED_BY) private readonly emittedBy: string,
    metrics: Metrics,
  ) {
    this.outcomes = metrics.counter('geofence_locations_total', 'Locations evaluated, by outcome (rejections by reason)', ['outcome']);
    this.transitions = metrics.counter('geofence_transitions_total', 'Transitions emitted, by kind', ['transition']);
  }

  /**
   * `traces` maps a location event's id to its W3C trace headers (traceparent, tracestate): the
   * transitions it causes continue its trace, as they would through KafkaEventServer.
   */
  async execute(events: LocationEvent[], nowMs = Date.now(), traces: ReadonlyMap<string, Record<string, string>> = new Map()): Promise<void> {
    // The chunk's brands' dwell thresholds, current as of now (one round trip for the chunk).
    const thresholds = await this.dwell.forBrands(events.map((e) => e.data.brandId));
    const outgoing: Outgoing[] = [];
    for (const wave of roundsByKey(events, (e) => e.data.shopperId)) {
      const results = await this.evaluateWave(wave, nowMs, thresholds);
      wave.forEach((e, i) => {
        const trace = traces.get(e.id);
        for (const o of results[i]) outgoing.push(trace ? { topic: o.topic, event: o.event, headers: o.headers ? Object.assign({}, trace, o.headers) : trace } : o);
      });
    }
    // Bounded produce requests: a chunk near many fences yields many transitions, and a partition's
    // record batch must stay under the broker's message.max.bytes (1 MiB by default).
    for (let i = 0; i < outgoing.length; i += PUBLISH_SLICE) await this.publisher.publishAll(outgoing.slice(i, i + PUBLISH_SLICE));
    for (const o of outgoing) this.transitions.inc({ transition: (o.event.data as { transition: string }).transition });
  }

  /** Location events of different shoppers: the transitions each causes, to publish, in their order. */
  async evaluateWave(events: LocationEvent[], nowMs: number, thresholds: ReadonlyMap<string, BrandDwellThresholds>): Promise<Outgoing[][]> {
    const results: Outgoing[][] = events.map(() => []);
    const live: { at: number; event: LocationEvent; fix: Fix }[] = [];
    events.forEach((event, at) => {
      const loc = event.data;
      const fix: Fix = { lat: loc.lat, lng: loc.lng, accuracyM: loc.accuracyM, sharedAtMs: Date.parse(loc.sharedAt) };
      const early = judgeFixAlone(fix, nowMs, this.policy);
      if (early) this.outcomes.inc({ outcome: early });
      else live.push({ at, event, fix });
    });
    if (live.length === 0) return results;
    const [states, candidates] = await Promise.all([
      this.visits.readMany(live.map((l) => l.event.data.shopperId)),
      this.index.candidatesMany(live.map(({ event, fix }) => ({ brandId: event.data.brandId, lat: fix.lat, lng: fix.lng, slackM: this.policy.exitHysteresisM + (fix.accuracyM ?? 0) }))),
    ]);
    const pending: Pending[] = live.map((l, i) => {
      const state = states[i];
      const replay = state.last?.eventId === l.event.id;
      return {
        at: l.at,
        event: l.event,
        fix: l.fix,
        state,
        candidates: candidates[i],
        thresholds: thresholds.get(l.event.data.brandId) ?? BrandDwellThresholds.NONE,
        replay,
        rejected: replay ? null : judgeFix(l.fix, state.last?.fix ?? null, nowMs, this.policy),
        earlier: null,
      };
    });
    // An event seen before (the last one, or an earlier one), redelivered because the geofence
    // stopped or its publish failed after the visit state changed: its transitions may never
    // have reached Kafka, so they go out again (same ids). Evaluated anew against the visit it
    // already opened, it would see nothing new. Rare: one more round trip for those only.
    const seenBefore = pending.filter((p) => p.replay || p.rejected === 'out_of_order');
    if (seenBefore.length > 0) {
      const earlier = await Promise.all(seenBefore.map((p) => this.visits.outcomeOf(p.event.data.shopperId, p.event.id)));
      seenBefore.forEach((p, i) => (p.earlier = earlier[i]));
    }
    const records: FixToRecord[] = [];
    const applies: { p: Pending; fix: FixToApply }[] = [];
    for (const p of pending) {
      const settled = this.settle(p, nowMs, records);
      if (Array.isArray(settled)) results[p.at] = settled;
      else applies.push({ p, fix: settled });
    }
    const [, applied] = await Promise.all([
      this.visits.recordMany(records, this.policy.stateTtlSeconds),
      this.visits.applyMany(applies.map((a) => a.fix), this.policy.stateTtlSeconds),
    ]);
    applies.forEach(({ p }, i) => {
      const outcome = applied[i];
      if (outcome === 'out_of_order') {
        this.outcomes.inc({ outcome: 'out_of_order' });
        return;
      }
      this.outcomes.inc({ outcome: outcome.length > 0 ? 'transition' : 'no_transition' });
      results[p.at] = this.toEvents(p.event, outcome, nowMs);
    });
    return results;
  }

  /**
   * What one event does, given its shopper's state and candidate stores: its transitions at once
   * (none, or a redelivered event's), a fix to record (pushed to `records`, written by the caller),
   * or a fix whose proposal may change a visit, for the caller to apply (the visit-state script).
   */
  private settle(p: Pending, nowMs: number, records: FixToRecord[]): Outgoing[] | FixToApply {
    const { event, fix, state, rejected } = p;
    const loc = event.data;
    // Set only for a redelivery (the last event again, or one out of order) that caused transitions.
    if (p.earlier) return this.toEvents(event, p.earlier, nowMs);
    // The last event again without transitions (not rejected): evaluated anew, it changes
    // nothing, and APPLY_FIXES would answer its first outcome.
    if (rejected) {
      this.outcomes.inc({ outcome: rejected });
      return [];
    }
    const proposed = proposeTransitions(
      fix,
      p.candidates.map((c) => ({ storeId: c.store.storeId, location: c.store.location, fence: c.fence, dwellThresholdsS: p.thresholds.forStore(c.store.storeId) })),
      state.open,
      this.policy,
    );
    // A literal, not `{ ...fix, source }`: on Node 20 each property a spread literal adds costs ~2 µs.
    const located = { lat: fix.lat, lng: fix.lng, accuracyM: fix.accuracyM, sharedAtMs: fix.sharedAtMs, source: loc.source };
    if (proposed.enter.length === 0 && proposed.dwell.length === 0 && proposed.exit.length === 0) {
      // Most fixes change nothing (far from every fence, or still inside an open visit): recording
      // the fix is a plain write, the atomic script runs only when a visit may change.
      records.push({ shopperId: loc.shopperId, eventId: event.id, fix: located, hasOpenVisits: state.open.size > 0, lastVisitsTtlAt: state.last?.visitsTtlAt ?? 0 });
      this.outcomes.inc({ outcome: 'no_transition' });
      return [];
    }
    const enter = proposed.enter.map((e) => ({ ...e, visitId: deterministicId('visit', event.id, e.storeId) }));
    return { shopperId: loc.shopperId, brandId: loc.brandId, eventId: event.id, fix: located, proposed: { ...proposed, enter } };
  }

  /**
   * The transitions as events. They are built here from checked parts (a validated location event
   * and the visit state's answer), typed by the contract, so they are not parsed again on the way
   * out (zod parsing was a tenth of the CPU per evaluation); consumers validate them on arrival.
   */
  private toEvents(event: LocationEvent, applied: AppliedTransition[], nowMs: number): Outgoing[] {
    const loc = event.data;
    const occurredAt = new Date(nowMs).toISOString();
    const headers = { 'emitted-by': this.emittedBy };
    return applied.map((t) => {
      const transition: TransitionEvent = {
        id: deterministicId('transition', event.id, t.storeId, t.t),
        type: 'geofence.transitioned',
        occurredAt,
        data: {
          shopperId: loc.shopperId,
          pageId: loc.pageId,
          psid: loc.psid,
          brandId: loc.brandId,
          storeId: t.storeId,
          transition: t.t,
          visitId: t.visitId,
          distanceM: Math.max(0, Math.round(t.distanceM)),
          locationEventId: event.id,
          locationSource: loc.source,
          sharedAt: loc.sharedAt,
          ...(t.t === 'dwell' && t.dwellSeconds !== undefined ? { dwellSeconds: t.dwellSeconds } : {}),
          ...(t.t === 'exit' ? { exitReason: 'left' as const } : {}),
        },
      };
      return { topic: Topics.GeofenceTransition, event: transition, headers };
    });
  }
}
