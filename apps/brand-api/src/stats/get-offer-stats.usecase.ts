import { notFound } from '@app/http';
import { Injectable } from '@nestjs/common';
import { OfferRepository } from '../offers/offer.repository';
import { DeliveryRepository } from './delivery.repository';
import { OfferStats, toOfferStats } from './offer-stats';

@Injectable()
export class GetOfferStats {
  constructor(
    private readonly offers: OfferRepository,
    private readonly deliveries: DeliveryRepository,
  ) {}

  async execute(brandId: string, offerId: string): Promise<OfferStats> {
    if (!(await this.offers.findOfBrand(brandId, offerId))) throw notFound('offer');
    return toOfferStats(offerId, await this.deliveries.countsForOffer(brandId, offerId));
  }
}
