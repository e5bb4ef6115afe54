import { EventOf, Topics, deterministicId } from '@app/contracts';
import { isInsideFence } from '@app/geo';
import { EventPublisher } from '@app/kafka';
import { Metrics } from '@app/observability';
import { Inject, Injectable } from '@nestjs/common';
import { StoreIndexRepository } from '../store-index/store-index.repository';
import { Fix, QualityPolicy, judgeFix } from './location-quality';
import { ProposedTransitions, VisitStateRepository } from './visit-state.repository';

export interface GeofencePolicy extends QualityPolicy {
  exitHysteresisM: number;
  stateTtlSeconds: number;
}
export const GEOFENCE_POLICY = Symbol('GEOFENCE_POLICY');

/**
 * Is the shopper, now, at one of the brand's stores? A fix enters a fence when the reported
 * point lies inside it (accuracy never widens a fence for entering: a shopper across the street
 * with a vague fix is not in the store). A visit ends only when the point is outside the fence by
 * the hysteresis margin plus the fix's accuracy, so a jittery fix at the edge does not flap.
 */
@Injectable()
export class EvaluateLocation {
  private readonly outcomes;

  constructor(
    private readonly index: StoreIndexRepository,
    private readonly visits: VisitStateRepository,
    private readonly publisher: EventPublisher,
    @Inject(GEOFENCE_POLICY) private readonly policy: GeofencePolicy,
    metrics: Metrics,
  ) {
    this.outcomes = metrics.counter('geofence_locations_total', 'Locations evaluated, by outcome', ['outcome']);
  }

  async execute(event: EventOf<typeof Topics.ShopperLocation>, nowMs = Date.now()): Promise<void> {
    const loc = event.data;
    const fix: Fix = { lat: loc.lat, lng: loc.lng, accuracyM: loc.accuracyM, sharedAtMs: Date.parse(loc.sharedAt) };
    const last = await this.visits.lastFix(loc.shopperId);
    const replay = last?.eventId === event.id;
    const rejected = replay ? null : judgeFix(fix, last?.fix ?? null, nowMs, this.policy);
    if (rejected) {
      this.outcomes.inc({ outcome: rejected });
      return;
    }

    const slackM = this.policy.exitHysteresisM + (fix.accuracyM ?? 0);
    const candidates = await this.index.candidates(loc.brandId, fix.lat, fix.lng, slackM);
    const open = await this.visits.openVisits(loc.shopperId);
    const proposed: ProposedTransitions = { enter: [], exit: [] };
    for (const { store, distanceM } of candidates) {
      if (isInsideFence(fix, store)) {
        if (!open.has(store.storeId)) {
          proposed.enter.push({ storeId: store.storeId, visitId: deterministicId('visit', event.id, store.storeId), distanceM });
        }
      } else if (open.has(store.storeId) && !isInsideFence(fix, store, slackM)) {
        proposed.exit.push({ storeId: store.storeId, distanceM });
      }
    }
    const near = new Set(candidates.map((c) => c.store.storeId));
    for (const storeId of open.keys()) {
      if (!near.has(storeId)) proposed.exit.push({ storeId, distanceM: -1 });
    }

    const applied = await this.visits.apply(loc.shopperId, event.id, fix, proposed, this.policy.stateTtlSeconds);
    if (applied === 'out_of_order') {
      this.outcomes.inc({ outcome: 'out_of_order' });
      return;
    }
    this.outcomes.inc({ outcome: applied.length > 0 ? 'transition' : 'no_transition' });
    await this.publisher.publishAll(
      applied.map((t) =>
        this.publisher.build(
          Topics.GeofenceTransition,
          'geofence.transitioned',
          {
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
          },
          { id: deterministicId('transition', event.id, t.storeId, t.t) },
        ),
      ),
    );
  }
}
