import { ZodPipe, notFound } from '@app/http';
import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedBrand, BrandAuthGuard, CurrentBrand } from '../auth/brand-auth.guard';
import { Page, decodeCursor, toPage } from '../common/cursor';
import { ApiErrors, ApiExample, ApiJsonBody, ApiQueryParam } from '../common/openapi';
import { OfferStats } from '../stats/offer-stats';
import { GetOfferStats } from '../stats/get-offer-stats.usecase';
import { CreateOffer } from './create-offer.usecase';
import { DeleteOffer } from './delete-offer.usecase';
import { CreateOfferBody, ListOffersQuery, UpdateOfferBody } from './offer.dto';
import { EXAMPLE_OFFER, EXAMPLE_OFFER_STATS, EXAMPLE_OFFER_VIEW } from './offer.examples';
import { OfferRepository } from './offer.repository';
import { OfferView, toOfferView } from './offer.view';
import { UpdateOffer } from './update-offer.usecase';

const OfferId = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

@ApiTags('offers')
@ApiBearerAuth()
@UseGuards(BrandAuthGuard)
@Controller('v1/offers')
export class OffersController {
  constructor(
    private readonly createOffer: CreateOffer,
    private readonly updateOffer: UpdateOffer,
    private readonly deleteOffer: DeleteOffer,
    private readonly offerStats: GetOfferStats,
    private readonly offers: OfferRepository,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an offer for some or all (storeIds empty) of the brand’s stores; draft or active.' })
  @ApiJsonBody(CreateOfferBody, EXAMPLE_OFFER)
  @ApiExample(201, 'The offer', EXAMPLE_OFFER_VIEW)
  @ApiErrors(400, 401, 413)
  create(@CurrentBrand() brand: AuthenticatedBrand, @Body(new ZodPipe(CreateOfferBody)) body: CreateOfferBody): Promise<OfferView> {
    return this.createOffer.execute(brand.brandId, body);
  }

  @Get()
  @ApiOperation({ summary: 'List the brand’s offers, a page at a time, optionally by status.' })
  @ApiQueryParam('cursor', 'nextCursor of the previous page', 'eyJhZnRlciI6IjNmYTg1ZjY0LTU3MTctNDU2Mi1iM2ZjLTJjOTYzZjY2YWZhNiJ9')
  @ApiQueryParam('limit', 'page size, 1–500 (default 50)', '50')
  @ApiQueryParam('status', 'draft, active, paused or ended', 'active')
  @ApiExample(200, 'A page of offers', { items: [EXAMPLE_OFFER_VIEW], nextCursor: null })
  @ApiErrors(400, 401)
  async list(@CurrentBrand() brand: AuthenticatedBrand, @Query(new ZodPipe(ListOffersQuery, 'query')) query: ListOffersQuery): Promise<Page<OfferView>> {
    const rows = await this.offers.list(brand.brandId, { after: decodeCursor(query.cursor), limit: query.limit, status: query.status });
    return toPage(rows, query.limit, toOfferView);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One offer.' })
  @ApiExample(200, 'The offer', EXAMPLE_OFFER_VIEW)
  @ApiErrors(401, 404)
  async get(@CurrentBrand() brand: AuthenticatedBrand, @Param('id', OfferId) id: string): Promise<OfferView> {
    const offer = await this.offers.findOfBrand(brand.brandId, id);
    if (!offer) throw notFound('offer');
    return toOfferView(offer);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change an offer; status follows draft → active ⇄ paused → ended (others: 409 naming status).' })
  @ApiJsonBody(UpdateOfferBody, { status: 'paused' }, { reschedule: { endsAt: '2026-02-28T23:00:00Z', priority: 5 } })
  @ApiExample(200, 'The updated offer (version + 1)', { ...EXAMPLE_OFFER_VIEW, status: 'paused', version: 2 })
  @ApiErrors(400, 401, 404, 409)
  update(
    @CurrentBrand() brand: AuthenticatedBrand,
    @Param('id', OfferId) id: string,
    @Body(new ZodPipe(UpdateOfferBody)) body: UpdateOfferBody,
  ): Promise<OfferView> {
    return this.updateOffer.execute(brand.brandId, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an offer; offer.deleted is published so no service sends it again.' })
  @ApiExample(204, 'Deleted')
  @ApiErrors(401, 404)
  async remove(@CurrentBrand() brand: AuthenticatedBrand, @Param('id', OfferId) id: string): Promise<void> {
    await this.deleteOffer.execute(brand.brandId, id);
  }

  @Get(':id/stats')
  @ApiOperation({ summary: 'Requested, sent, delivered, read, clicked, failed and skipped (by reason) sends of the offer.' })
  @ApiExample(200, 'The offer’s stats', EXAMPLE_OFFER_STATS)
  @ApiErrors(401, 404)
  stats(@CurrentBrand() brand: AuthenticatedBrand, @Param('id', OfferId) id: string): Promise<OfferStats> {
    return this.offerStats.execute(brand.brandId, id);
  }
}
