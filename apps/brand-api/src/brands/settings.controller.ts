import { ZodPipe, notFound } from '@app/http';
import { Body, Controller, Get, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedBrand, BrandAuthGuard, CurrentBrand } from '../auth/brand-auth.guard';
import { ApiErrors, ApiExample, ApiJsonBody } from '../common/openapi';
import { BrandRepository } from './brand.repository';
import { BrandSettingsBody, BrandSettingsView, toBrandSettingsView } from './brand-settings';
import { UpdateBrandSettings } from './update-brand-settings.usecase';

@ApiTags('settings')
@ApiBearerAuth()
@UseGuards(BrandAuthGuard)
@Controller('v1/settings')
export class SettingsController {
  constructor(
    private readonly updateSettings: UpdateBrandSettings,
    private readonly brands: BrandRepository,
  ) {}

  @Get()
  @ApiOperation({ summary: "The brand's settings: quiet hours (in each shopper's time zone)." })
  @ApiExample(200, 'The settings ("default": the platform default, 21:00–09:00)', { quietHours: 'default', version: 0 })
  @ApiErrors(401)
  async get(@CurrentBrand() brand: AuthenticatedBrand): Promise<BrandSettingsView> {
    const found = await this.brands.findById(brand.brandId);
    if (!found) throw notFound('brand');
    return toBrandSettingsView(found);
  }

  @Put()
  @ApiOperation({ summary: 'Set quiet hours, e.g. {"quietHours":{"start":"21:00","end":"09:00"}}, or null for none.' })
  @ApiJsonBody(BrandSettingsBody, { quietHours: { start: '20:00', end: '08:30' } })
  @ApiExample(200, 'The settings, published to the promotion engine', { quietHours: { start: '20:00', end: '08:30' }, version: 1 })
  @ApiErrors(400, 401)
  put(
    @CurrentBrand() brand: AuthenticatedBrand,
    @Body(new ZodPipe(BrandSettingsBody)) body: BrandSettingsBody,
  ): Promise<BrandSettingsView> {
    return this.updateSettings.execute(brand.brandId, body);
  }
}
