import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyRepository } from '../auth/api-key.repository';
import { AuthenticatedBrand, BrandAuthGuard, CurrentBrand } from '../auth/brand-auth.guard';
import { ApiErrors, ApiExample } from '../common/openapi';
import { ApiKeyView, toApiKeyView } from './api-key.view';
import { CreateApiKey, CreatedApiKey, RevokeApiKey } from './manage-keys.usecase';

const EXAMPLE_KEY = {
  id: '5d0c1f3e-2b4a-4c6d-8e9f-0a1b2c3d4e5f',
  prefix: 'lp_live_Xy3kQ9',
  createdAt: '2026-01-05T09:30:00.000Z',
  revokedAt: null,
  current: true,
};

@ApiTags('keys')
@ApiBearerAuth()
@UseGuards(BrandAuthGuard)
@Controller('v1/keys')
export class KeysController {
  constructor(
    private readonly createKey: CreateApiKey,
    private readonly revokeKey: RevokeApiKey,
    private readonly keys: ApiKeyRepository,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create another API key (rotation without downtime). The key is returned once.' })
  @ApiExample(201, 'The new key, shown once', { id: EXAMPLE_KEY.id, prefix: EXAMPLE_KEY.prefix, apiKey: 'lp_live_Xy3kQ9…(43 more characters)', createdAt: EXAMPLE_KEY.createdAt })
  @ApiErrors(401, 409)
  create(@CurrentBrand() brand: AuthenticatedBrand): Promise<CreatedApiKey> {
    return this.createKey.execute(brand.brandId);
  }

  @Get()
  @ApiOperation({ summary: 'The brand’s keys (prefix only, never the key).' })
  @ApiExample(200, 'The keys', { items: [EXAMPLE_KEY, { ...EXAMPLE_KEY, id: '6e1d…', current: false, revokedAt: '2026-01-06T10:00:00.000Z' }] })
  @ApiErrors(401)
  async list(@CurrentBrand() brand: AuthenticatedBrand): Promise<{ items: ApiKeyView[] }> {
    return { items: (await this.keys.listOfBrand(brand.brandId)).map((k) => toApiKeyView(k, brand.apiKeyId)) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a key; requests with it are refused (401) from now on. The last active key cannot be revoked.' })
  @ApiExample(204, 'Revoked')
  @ApiErrors(401, 404, 409)
  async revoke(@CurrentBrand() brand: AuthenticatedBrand, @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string): Promise<void> {
    await this.revokeKey.execute(brand.brandId, id);
  }
}
