import { ZodPipe } from '@app/http';
import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AdminGuard } from '../auth/admin.guard';
import { ApiErrors, ApiExample, ApiJsonBody } from '../common/openapi';
import { CreateBrand, CreatedBrand } from './create-brand.usecase';

const CreateBrandBody = z.object({ name: z.string().trim().min(1).max(200) }).strict();

@ApiTags('brands')
@ApiBearerAuth()
@Controller('v1/brands')
export class BrandsController {
  constructor(private readonly createBrand: CreateBrand) {}

  @Post()
  @HttpCode(201)
  @UseGuards(AdminGuard)
  @ApiOperation({ summary: 'Create a brand (operator token). The API key is returned once.' })
  @ApiJsonBody(CreateBrandBody, { name: 'Boulangeries Martin' })
  @ApiExample(201, 'The brand and its first API key, shown once', {
    id: '1f0e4c2a-3b5d-4e6f-8a9b-0c1d2e3f4a5b',
    name: 'Boulangeries Martin',
    apiKey: 'lp_live_Xy3kQ9…(43 more characters)',
    createdAt: '2026-01-05T09:30:00.000Z',
  })
  @ApiErrors(400, 401)
  create(@Body(new ZodPipe(CreateBrandBody)) body: z.infer<typeof CreateBrandBody>): Promise<CreatedBrand> {
    return this.createBrand.execute(body);
  }
}
