import { LocationSource, Topics, deterministicId, parseShopperId } from '@app/contracts';
import { EventPublisher, Outgoing } from '@app/kafka';
import { Metrics } from '@app/observability';
import { Inject, Injectable } from '@nestjs/common';
import { EMITTED_BY, GEOFENCE_POLICY, GeofencePolicy } from '../locations/evaluate-location.usecase';
import { DEADLINE_BUCKETS, VisitStateRepository } from '../locations/visit-state.repository';

/** How long a replica owns the exits it is publishing before another may publish them again. */
const LEASE_MS = 30_000;
const PER_BUCKET = 500;

/**
 * Ends the visits of shoppers who stopped sharing: `exit` (reason `timeout`) once the state TTL
 * has passed since their last accepted fix. Every replica sweeps; the visit state leases each
 * exit to one of them, so an exit is published once (again, with the same event id, only if the
 * replica that leased it died before publishing).
 */
@Injectable()
export class ExpireVisits {
  private readonly expired;

  constructor(
    private readonly visits: VisitStateRepository,
    private readonly publisher: EventPublisher,
    @Inject(GEOFENCE_POLICY) private readonly policy: GeofencePolicy,
    @Inject(EMITTED_BY) private readonly emittedBy: string,
    metrics: Metrics,
  ) {
    this.expired = metrics.counter('geofence_visits_expired_total', 'Visits ended because the shopper stopped sharing');
  }

  /** One sweep over every bucket; returns how many exits were published. */
  async execute(nowMs = Date.now()): Promise<number> {
    let published = 0;
    for (let bucket = 0; bucket < DEADLINE_BUCKETS; bucket++) {
      for (const { shopperId, deadlineMs } of await this.visits.due(bucket, nowMs, PER_BUCKET)) {
        const { exits, nextDeadlineMs } = await this.visits.expire(shopperId, nowMs, this.policy.stateTtlSeconds, LEASE_MS);
        const { pageId, psid } = parseShopperId(shopperId);
        const events: Outgoing[] = exits.map((x) => ({
          headers: { 'emitted-by': this.emittedBy },
          ...this.publisher.build(
            Topics.GeofenceTransition,
            'geofence.transitioned',
            {
              shopperId,
              pageId,
              psid,
              brandId: x.brandId,
              storeId: x.storeId,
              transition: 'exit',
              visitId: x.visitId,
              distanceM: 0,
              locationEventId: x.lastEventId || x.visitId,
              locationSource: LocationSource.safeParse(x.lastSource).data ?? 'api',
              sharedAt: new Date(x.lastSharedAtMs || nowMs).toISOString(),
              exitReason: 'timeout',
            },
            { id: deterministicId('transition', x.visitId, x.storeId, 'exit') },
          ),
        }));
        await this.publisher.publishAll(events);
        await this.visits.acknowledgeExits(shopperId, exits);
        await this.visits.reschedule(shopperId, deadlineMs, nextDeadlineMs);
        this.expired.inc(exits.length);
        published += exits.length;
      }
    }
    return published;
  }
}
