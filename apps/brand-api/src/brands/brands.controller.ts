import { ZodPipe } from '@app/http';
import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AdminGuard } from '../auth/admin.guard';
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
  create(@Body(new ZodPipe(CreateBrandBody)) body: z.infer<typeof CreateBrandBody>): Promise<CreatedBrand> {
    return this.createBrand.execute(body);
  }
}
