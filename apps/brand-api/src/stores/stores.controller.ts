import { ZodPipe, notFound } from '@app/http';
import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedBrand, BrandAuthGuard, CurrentBrand } from '../auth/brand-auth.guard';
import { Page, decodeCursor, toPage } from '../common/cursor';
import { ApiErrors, ApiExample, ApiJsonBody, ApiQueryParam } from '../common/openapi';
import { CreateStore } from './create-store.usecase';
import { DeleteStore, StoreDeletion } from './delete-store.usecase';
import { UpdateStore } from './update-store.usecase';
import { ImportReport, ImportStores } from './import-stores.usecase';
import { CreateStoreBody, ImportStoresBody, ListStoresQuery, UpdateStoreBody } from './store.dto';
import { EXAMPLE_IMPORT, EXAMPLE_IMPORT_REPORT, EXAMPLE_POLYGON_STORE, EXAMPLE_STORE, EXAMPLE_STORE_DELETION, EXAMPLE_STORE_VIEW } from './store.examples';
import { StoreRepository } from './store.repository';
import { StoreView, StoreWithWarnings, toStoreView } from './store.view';

const StoreId = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

@ApiTags('stores')
@ApiBearerAuth()
@UseGuards(BrandAuthGuard)
@Controller('v1/stores')
export class StoresController {
  constructor(
    private readonly createStore: CreateStore,
    private readonly updateStore: UpdateStore,
    private readonly deleteStore: DeleteStore,
    private readonly importStores: ImportStores,
    private readonly stores: StoreRepository,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register a store with its geofence, time zone and opening hours.' })
  @ApiJsonBody(CreateStoreBody, EXAMPLE_STORE, { polygon: EXAMPLE_POLYGON_STORE })
  @ApiExample(201, 'The store, with `warnings` about what was sent (e.g. the opening_hours library’s advice)', { ...EXAMPLE_STORE_VIEW, warnings: [] })
  @ApiErrors(400, 401, 409, 413)
  create(@CurrentBrand() brand: AuthenticatedBrand, @Body(new ZodPipe(CreateStoreBody)) body: CreateStoreBody): Promise<StoreWithWarnings> {
    return this.createStore.execute(brand.brandId, body);
  }

  @Post('bulk')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create or update up to 10,000 stores by externalId, in batches; one bad store rejects only itself.',
  })
  @ApiJsonBody(ImportStoresBody, EXAMPLE_IMPORT)
  @ApiExample(200, 'What was created, updated, left unchanged and rejected (with reasons)', EXAMPLE_IMPORT_REPORT)
  @ApiErrors(400, 401, 413)
  bulk(@CurrentBrand() brand: AuthenticatedBrand, @Body(new ZodPipe(ImportStoresBody)) body: ImportStoresBody): Promise<ImportReport> {
    return this.importStores.execute(brand.brandId, body.stores);
  }

  @Get()
  @ApiOperation({ summary: 'List the brand’s stores, a page at a time, optionally by tag and/or near a point.' })
  @ApiQueryParam('cursor', 'nextCursor of the previous page', 'eyJhZnRlciI6IjNmYTg1ZjY0LTU3MTctNDU2Mi1iM2ZjLTJjOTYzZjY2YWZhNiJ9')
  @ApiQueryParam('limit', 'page size, 1–500 (default 50)', '50')
  @ApiQueryParam('tag', 'only stores with this tag', 'paris')
  @ApiQueryParam('near', 'lat,lng,radiusM: only stores within radiusM metres of the point', '48.8606,2.3376,1500')
  @ApiExample(200, 'A page of stores', { items: [EXAMPLE_STORE_VIEW], nextCursor: null })
  @ApiErrors(400, 401)
  async list(@CurrentBrand() brand: AuthenticatedBrand, @Query(new ZodPipe(ListStoresQuery, 'query')) query: ListStoresQuery): Promise<Page<StoreView>> {
    const rows = await this.stores.list(brand.brandId, { after: decodeCursor(query.cursor), limit: query.limit, tag: query.tag, near: query.near });
    return toPage(rows, query.limit, toStoreView);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One store.' })
  @ApiExample(200, 'The store', EXAMPLE_STORE_VIEW)
  @ApiErrors(401, 404)
  async get(@CurrentBrand() brand: AuthenticatedBrand, @Param('id', StoreId) id: string): Promise<StoreView> {
    const store = await this.stores.findOfBrand(brand.brandId, id);
    if (!store) throw notFound('store');
    return toStoreView(store);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change some fields of a store; the result is validated as a whole and published.' })
  @ApiJsonBody(UpdateStoreBody, { openingHours: 'Mo-Sa 08:00-21:00; PH off', country: 'FR', tags: ['paris', 'flagship'] })
  @ApiExample(200, 'The updated store (version + 1), with `warnings` as for POST', { ...EXAMPLE_STORE_VIEW, version: 2, warnings: [] })
  @ApiErrors(400, 401, 404, 409)
  update(
    @CurrentBrand() brand: AuthenticatedBrand,
    @Param('id', StoreId) id: string,
    @Body(new ZodPipe(UpdateStoreBody)) body: UpdateStoreBody,
  ): Promise<StoreWithWarnings> {
    return this.updateStore.execute(brand.brandId, id, body);
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Delete a store (a tombstone on catalog.store.v1, so every projection drops it). The store leaves the storeIds of ' +
      'the offers that named it, in the same transaction; an offer left with no store is paused (a draft stays draft) ' +
      'with statusReason "stores_deleted" instead of widening to every store, and activating it again needs storeIds. ' +
      'The answer lists the offers changed. Ended offers are final and keep their storeIds.',
  })
  @ApiExample(200, 'Deleted, with the offers it changed (new version each)', EXAMPLE_STORE_DELETION)
  @ApiErrors(401, 404)
  remove(@CurrentBrand() brand: AuthenticatedBrand, @Param('id', StoreId) id: string): Promise<StoreDeletion> {
    return this.deleteStore.execute(brand.brandId, id);
  }
}
