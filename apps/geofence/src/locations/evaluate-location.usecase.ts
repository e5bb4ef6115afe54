import { EventOf, Topics, deterministicId } from '@app/contracts';
import { EventPublisher, Outgoing } from '@app/kafka';
import { Metrics } from '@app/observability';
import { Inject, Injectable } from '@nestjs/common';
import { DwellThresholdRepository } from '../dwell/dwell-threshold.repository';
import { BrandDwellThresholds } from '../dwell/dwell-thresholds';
import { StoreIndexRepository } from '../store-index/store-index.repository';
import { Fix, QualityPolicy, judgeFix, judgeFixAlone } from './location-quality';
import { VisitPolicy, proposeTransitions } from './visit-rules';
import { AppliedTransition, VisitStateRepository } from './visit-state.repository';

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

/**
 * Is the shopper, now, at one of the brand's stores? Evaluates a batch of location events: each
 * shopper's events one after the other in their order, different shoppers concurrently (their
 * Redis calls share pipelines), and publishes every resulting transition in one produce request.
 * The rules are in location-quality.ts (which fixes count) and visit-rules.ts (what they change).
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
    const byShopper = new Map<string, LocationEvent[]>();
    for (const e of events) {
      const list = byShopper.get(e.data.shopperId);
      if (list) list.push(e);
      else byShopper.set(e.data.shopperId, [e]);
    }
    // The chunk's brands' dwell thresholds, current as of now (one round trip for the chunk).
    const thresholds = await this.dwell.forBrands(events.map((e) => e.data.brandId));
    const outgoing: Outgoing[] = [];
    await Promise.all(
      [...byShopper.values()].map(async (list) => {
        for (const e of list) {
          const trace = traces.get(e.id);
          for (const o of await this.evaluate(e, nowMs, thresholds.get(e.data.brandId) ?? BrandDwellThresholds.NONE)) outgoing.push(trace ? { topic: o.topic, event: o.event, headers: o.headers ? Object.assign({}, trace, o.headers) : trace } : o);
        }
      }),
    );
    // Bounded produce requests: a chunk near many fences yields many transitions, and a partition's
    // record batch must stay under the broker's message.max.bytes (1 MiB by default).
    for (let i = 0; i < outgoing.length; i += PUBLISH_SLICE) await this.publisher.publishAll(outgoing.slice(i, i + PUBLISH_SLICE));
    for (const o of outgoing) this.transitions.inc({ transition: (o.event.data as { transition: string }).transition });
  }

  /** One location event: the transitions it causes, to publish. */
  async evaluate(event: LocationEvent, nowMs: number, dwellThresholds: BrandDwellThresholds): Promise<Outgoing[]> {
    const loc = event.data;
    const fix: Fix = { lat: loc.lat, lng: loc.lng, accuracyM: loc.accuracyM, sharedAtMs: Date.parse(loc.sharedAt) };
    const early = judgeFixAlone(fix, nowMs, this.policy);
    if (early) {
      this.outcomes.inc({ outcome: early });
      return [];
    }
    const slackM = this.policy.exitHysteresisM + (fix.accuracyM ?? 0);
    const [state, candidates] = await Promise.all([
      this.visits.read(loc.shopperId),
      this.index.candidates(loc.brandId, fix.lat, fix.lng, slackM),
    ]);
    const replay = state.last?.eventId === event.id;
    const rejected = replay ? null : judgeFix(fix, state.last?.fix ?? null, nowMs, this.policy);
    if (replay || rejected === 'out_of_order') {
      // An event seen before (the last one, or an earlier one), redelivered because the geofence
      // stopped or its publish failed after the visit state changed: its transitions may never
      // have reached Kafka, so they go out again (same ids). Evaluated anew against the visit it
      // already opened, it would see nothing new.
      const earlier = await this.visits.outcomeOf(loc.shopperId, event.id);
      if (earlier) return this.toEvents(event, earlier, nowMs);
    }
    if (rejected) {
      this.outcomes.inc({ outcome: rejected });
      return [];
    }
    const proposed = proposeTransitions(
      fix,
      candidates.map((c) => ({ storeId: c.store.storeId, location: c.store.location, fence: c.fence, dwellThresholdsS: dwellThresholds.forStore(c.store.storeId) })),
      state.open,
      this.policy,
    );
    const enter = proposed.enter.map((e) => ({ ...e, visitId: deterministicId('visit', event.id, e.storeId) }));
    // A literal, not `{ ...fix, source }`: on Node 20 each property a spread literal adds costs ~2 µs.
    const located = { lat: fix.lat, lng: fix.lng, accuracyM: fix.accuracyM, sharedAtMs: fix.sharedAtMs, source: loc.source };
    if (enter.length === 0 && proposed.dwell.length === 0 && proposed.exit.length === 0) {
      // Most fixes change nothing (far from every fence, or still inside an open visit): recording
      // the fix is a plain write, the atomic script runs only when a visit may change.
      await this.visits.record(loc.shopperId, event.id, located, state.open.size > 0, this.policy.stateTtlSeconds, state.last?.visitsTtlAt ?? 0);
      this.outcomes.inc({ outcome: 'no_transition' });
      return [];
    }
    const applied = await this.visits.apply(
      loc.shopperId,
      loc.brandId,
      event.id,
      located,
      { ...proposed, enter },
      this.policy.stateTtlSeconds,
    );
    if (applied === 'out_of_order') {
      this.outcomes.inc({ outcome: 'out_of_order' });
      return [];
    }
    this.outcomes.inc({ outcome: applied.length > 0 ? 'transition' : 'no_transition' });
    return this.toEvents(event, applied, nowMs);
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
