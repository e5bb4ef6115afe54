import { DeliveryStatus } from '@app/contracts';
import { Metrics } from '@app/observability';
import { Injectable, Logger } from '@nestjs/common';
import { CapsRepository } from './caps.repository';

/** Delivery could not tell whether Meta received it: counted as sent (we never overspend). */
const MAYBE_SENT_REASONS = new Set(['interrupted_send_not_retried']);

/**
 * Whether a delivery outcome gives the reservation back: only when the shopper surely got nothing
 * and the failure is the promotion's, not the setup's:
 * - expired before any attempt (the shopper had left) → released;
 * - failed or skipped after Meta answered (attempts ≥ 1: window closed, shopper unreachable,
 *   retries exhausted…) → released, except when delivery cannot tell whether Meta got it;
 * - skipped before any call to Meta (page_not_connected: a configuration fault) → kept, so a
 *   misconfigured Page cannot turn the budget over and over; on a broker shared by several
 *   stacks such statuses also come from other stacks' delivery services, which must not free ours.
 */
export function releasesReservation(status: Pick<DeliveryStatus, 'status' | 'reason' | 'attempts'>): boolean {
  if (status.status === 'sent') return false;
  if (status.status === 'expired') return true;
  if (status.attempts < 1) return false;
  return !(status.reason !== null && MAYBE_SENT_REASONS.has(status.reason));
}

/**
 * Settles a reservation once delivery has the last word (delivery.status.v1): sent → final;
 * failed, expired or skipped → the caps, cooldown and budget it took are given back, so a Page
 * outage does not burn an offer's budget. Idempotent: a redelivered status changes nothing.
 */
@Injectable()
export class SettleReservation {
  private readonly logger = new Logger(SettleReservation.name);
  private readonly settled;

  constructor(
    private readonly caps: CapsRepository,
    metrics: Metrics,
  ) {
    this.settled = metrics.counter('promotion_reservations_settled_total', 'Reservations settled by delivery outcome', ['settlement']);
  }

  async execute(status: DeliveryStatus): Promise<void> {
    const release = releasesReservation(status);
    const changed = release
      ? await this.caps.release(status.brandId, status.shopperId, status.requestId)
      : await this.caps.confirm(status.brandId, status.shopperId, status.requestId);
    if (!changed) return;
    this.settled.inc({ settlement: release ? 'released' : 'confirmed' });
    if (release) this.logger.log({ shopperId: status.shopperId, offerId: status.offerId, requestId: status.requestId, status: status.status, reason: status.reason }, 'reservation released');
  }
}
