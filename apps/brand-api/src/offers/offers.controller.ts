import { ZodPipe, notFound } from '@app/http';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedBrand, BrandAuthGuard, CurrentBrand } from '../auth/brand-auth.guard';
import { CreateOffer } from './create-offer.usecase';
import { CreateOfferBody } from './offer.dto';
import { OfferRepository } from './offer.repository';
import { OfferView, toOfferView } from './offer.view';

@ApiTags('offers')
@ApiBearerAuth()
@UseGuards(BrandAuthGuard)
@Controller('v1/offers')
export class OffersController {
  constructor(
    private readonly createOffer: CreateOffer,
    private readonly offers: OfferRepository,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an offer for some or all of the brand’s stores.' })
  create(
    @CurrentBrand() brand: AuthenticatedBrand,
    @Body(new ZodPipe(CreateOfferBody)) body: CreateOfferBody,
  ): Promise<OfferView> {
    return this.createOffer.execute(brand.brandId, body);
  }

  @Get(':id')
  async get(
    @CurrentBrand() brand: AuthenticatedBrand,
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string,
  ): Promise<OfferView> {
    const offer = await this.offers.findOfBrand(brand.brandId, id);
    if (!offer) throw notFound('offer');
    return toOfferView(offer);
  }
}
