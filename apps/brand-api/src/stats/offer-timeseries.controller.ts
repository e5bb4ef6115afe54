import { ZodPipe } from '@app/http';
import { Controller, Get, Param, ParseUUIDPipe, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedBrand, BrandAuthGuard, CurrentBrand } from '../auth/brand-auth.guard';
import { ApiErrors, ApiExample, ApiQueryParam } from '../common/openapi';
import { GetOfferTimeseries } from './get-offer-timeseries.usecase';
import { OfferTimeseries, TimeseriesQuery } from './offer-timeseries';

const OfferId = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

const EXAMPLE = {
  offerId: '9b2f6c1e-1d2a-4f7b-8a9c-0d1e2f3a4b5c',
  storeId: null,
  bucket: 'hour',
  from: '2026-01-05T08:00:00.000Z',
  to: '2026-01-05T10:00:00.000Z',
  points: [
    { at: '2026-01-05T08:00:00.000Z', requested: 12, sent: 9, delivered: 9, read: 6, clicked: 2, skipped: 3, failed: 0, expired: 0, skippedByReason: { outside_window: 2, opted_out: 1 } },
    { at: '2026-01-05T09:00:00.000Z', requested: 4, sent: 4, delivered: 3, read: 3, clicked: 1, skipped: 0, failed: 0, expired: 0, skippedByReason: {} },
  ],
};

@ApiTags('offers')
@ApiBearerAuth()
@UseGuards(BrandAuthGuard)
@Controller('v1/offers')
export class OfferTimeseriesController {
  constructor(private readonly timeseries: GetOfferTimeseries) {}

  @Get(':id/stats/timeseries')
  @ApiOperation({
    summary: 'The offer’s funnel (requested → sent → delivered → read → clicked) and skips by reason, per hour or day (UTC), each event in the bucket where it happened.',
  })
  @ApiQueryParam('from', 'window start, ISO 8601 (default: 24 hours or 30 days before `to`); aligned down on the bucket', '2026-01-05T08:00:00Z')
  @ApiQueryParam('to', 'window end, ISO 8601 (default: now); aligned up on the bucket', '2026-01-05T10:00:00Z')
  @ApiQueryParam('bucket', 'hour (at most 744 points) or day (at most 366)', 'hour')
  @ApiQueryParam('storeId', 'only the sends made at this store', '3fa85f64-5717-4562-b3fc-2c963f66afa6')
  @ApiExample(200, 'One point per bucket, empty buckets included', EXAMPLE)
  @ApiErrors(400, 401, 404)
  get(
    @CurrentBrand() brand: AuthenticatedBrand,
    @Param('id', OfferId) id: string,
    @Query(new ZodPipe(TimeseriesQuery, 'query')) query: TimeseriesQuery,
  ): Promise<OfferTimeseries> {
    return this.timeseries.execute(brand.brandId, id, query);
  }
}
