import { DomainError, notFound } from '@app/http';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { OfferRepository } from '../offers/offer.repository';
import { OfferTimeseries, TimeseriesQuery, resolveWindow, toTimeseries } from './offer-timeseries';
import { OfferTimeseriesRepository } from './offer-timeseries.repository';

/** An offer's funnel and skips per hour or day (the console's charts). Another brand's offer → 404. */
@Injectable()
export class GetOfferTimeseries {
  constructor(
    private readonly offers: OfferRepository,
    private readonly counts: OfferTimeseriesRepository,
    private readonly clock: Clock,
  ) {}

  async execute(brandId: string, offerId: string, query: TimeseriesQuery): Promise<OfferTimeseries> {
    if (!(await this.offers.findOfBrand(brandId, offerId))) throw notFound('offer');
    const window = resolveWindow(query, this.clock.now());
    if ('field' in window) throw new DomainError('VALIDATION_FAILED', `invalid query: ${window.field}: ${window.message}`, [window]);
    const storeId = query.storeId ?? null;
    return toTimeseries(offerId, storeId, window, await this.counts.countsByBucket(brandId, offerId, storeId, window));
  }
}
