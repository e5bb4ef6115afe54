import { ZodPipe } from '@app/http';
import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AuthenticatedBrand, BrandAuthGuard, CurrentBrand } from '../auth/brand-auth.guard';
import { ApiErrors, ApiExample, ApiQueryParam } from '../common/openapi';
import { DecisionsView, ExplainDecisions } from './explain-decisions.usecase';

const DecisionsQuery = z.object({ shopperId: z.string().min(1).max(200) }).strict();

@ApiTags('decisions')
@ApiBearerAuth()
@UseGuards(BrandAuthGuard)
@Controller('v1/decisions')
export class DecisionsController {
  constructor(private readonly explain: ExplainDecisions) {}

  @Get()
  @ApiOperation({ summary: 'Why each recent decision about a shopper of the brand’s Page went the way it did.' })
  @ApiQueryParam('shopperId', '<pageId>:<psid>', '104857600123:7012345678901234', true)
  @ApiExample(200, 'The decision log, newest first', {
    shopperId: '104857600123:7012345678901234',
    decisions: [
      {
        visitId: 'c0a8012e-7f3b-4a4e-9d53-2b7f1a0c9e11',
        decidedAt: '2026-01-05T09:30:00.000Z',
        reason: 'outside_messaging_window',
        considered: [{ offerId: '9b2f…', reason: 'eligible' }],
        request: null,
      },
    ],
  })
  @ApiErrors(400, 401, 404)
  list(@CurrentBrand() brand: AuthenticatedBrand, @Query(new ZodPipe(DecisionsQuery, 'query')) query: z.infer<typeof DecisionsQuery>): Promise<DecisionsView> {
    return this.explain.execute(brand.brandId, query.shopperId);
  }
}
