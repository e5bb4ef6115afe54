import { Controller, Delete, HttpCode, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AuthenticatedBrand, BrandAuthGuard, CurrentBrand } from '../auth/brand-auth.guard';
import { ApiErrors, ApiExample } from '../common/openapi';
import { EraseShopper, ErasureReceipt } from './erase-shopper.usecase';

@ApiTags('shoppers')
@ApiBearerAuth()
@UseGuards(BrandAuthGuard)
@Controller('v1/shoppers')
export class ShoppersController {
  constructor(private readonly eraseShopper: EraseShopper) {}

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
