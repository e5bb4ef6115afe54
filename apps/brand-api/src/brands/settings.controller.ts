import { ZodPipe, notFound } from '@app/http';
import { Body, Controller, Get, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedBrand, BrandAuthGuard, CurrentBrand } from '../auth/brand-auth.guard';
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
  async get(@CurrentBrand() brand: AuthenticatedBrand): Promise<BrandSettingsView> {
    const found = await this.brands.findById(brand.brandId);
    if (!found) throw notFound('brand');
    return toBrandSettingsView(found);
  }

  @Put()
  @ApiOperation({ summary: 'Set quiet hours, e.g. {"quietHours":{"start":"21:00","end":"09:00"}}, or null for none.' })
  put(
    @CurrentBrand() brand: AuthenticatedBrand,
    @Body(new ZodPipe(BrandSettingsBody)) body: BrandSettingsBody,
  ): Promise<BrandSettingsView> {
    return this.updateSettings.execute(brand.brandId, body);
  }
}
