import { ZodPipe } from '@app/http';
import { Body, Controller, Delete, HttpCode, Param, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AuthenticatedBrand, BrandAuthGuard, CurrentBrand } from '../auth/brand-auth.guard';
import { ApiErrors, ApiExample, ApiJsonBody } from '../common/openapi';
import { EraseShopper, ErasureReceipt } from './erase-shopper.usecase';
import { SetShopperTags } from './set-shopper-tags.usecase';
import { ShopperTagsBody, ShopperTagsView } from './shopper-tags.dto';

@ApiTags('shoppers')
@ApiBearerAuth()
@UseGuards(BrandAuthGuard)
@Controller('v1/shoppers')
export class ShoppersController {
  constructor(
    private readonly eraseShopper: EraseShopper,
    private readonly setShopperTags: SetShopperTags,
  ) {}

  @Put(':shopperId/tags')
  @ApiOperation({ summary: 'Replace the tags of a shopper of the brand’s Page (offers target them with audience.shopperTags).' })
  @ApiParam({ name: 'shopperId', example: '104857600123:7012345678901234' })
  @ApiJsonBody(ShopperTagsBody, { tags: ['vip', 'loyalty-gold'] })
  @ApiExample(200, 'The tags, published to the promotion engine', {
    shopperId: '104857600123:7012345678901234',
    tags: ['vip', 'loyalty-gold'],
    setAt: '2026-01-05T09:30:00.000Z',
    tagsEvent: 'published',
  })
  @ApiErrors(400, 401, 404)
  putTags(
    @CurrentBrand() brand: AuthenticatedBrand,
    @Param('shopperId') shopperId: string,
    @Body(new ZodPipe(ShopperTagsBody)) body: ShopperTagsBody,
  ): Promise<ShopperTagsView> {
    return this.setShopperTags.execute(brand.brandId, shopperId, body);
  }

  @Delete(':shopperId')
  @HttpCode(202)
  @ApiOperation({ summary: 'Erase a shopper of the brand’s Page: Postgres data now, every service’s Redis state via shopper.erasure.v1.' })
  @ApiParam({ name: 'shopperId', example: '104857600123:7012345678901234' })
  @ApiExample(202, 'Erasure done here and announced to every service', {
    shopperId: '104857600123:7012345678901234',
    deliveriesUnlinked: 3,
    erasureEvent: 'published',
    requestedAt: '2026-01-05T09:30:00.000Z',
  })
  @ApiErrors(400, 401, 404)
  erase(@CurrentBrand() brand: AuthenticatedBrand, @Param('shopperId') shopperId: string): Promise<ErasureReceipt> {
    return this.eraseShopper.execute(brand.brandId, shopperId);
  }
}
