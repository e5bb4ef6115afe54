import { ZodPipe, notFound } from '@app/http';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedBrand, BrandAuthGuard, CurrentBrand } from '../auth/brand-auth.guard';
import { CreateStore } from './create-store.usecase';
import { CreateStoreBody } from './store.dto';
import { StoreRepository } from './store.repository';
import { StoreView, toStoreView } from './store.view';

@ApiTags('stores')
@ApiBearerAuth()
@UseGuards(BrandAuthGuard)
@Controller('v1/stores')
export class StoresController {
  constructor(
    private readonly createStore: CreateStore,
    private readonly stores: StoreRepository,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register a store with its geofence, time zone and opening hours.' })
  create(
    @CurrentBrand() brand: AuthenticatedBrand,
    @Body(new ZodPipe(CreateStoreBody)) body: CreateStoreBody,
  ): Promise<StoreView> {
    return this.createStore.execute(brand.brandId, body);
  }

  @Get(':id')
  async get(
    @CurrentBrand() brand: AuthenticatedBrand,
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string,
  ): Promise<StoreView> {
    const store = await this.stores.findOfBrand(brand.brandId, id);
    if (!store) throw notFound('store');
    return toStoreView(store);
  }
}
