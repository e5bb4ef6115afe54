import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RecordClick } from './record-click.usecase';

@ApiTags('offer links')
@Controller('r')
export class ClicksController {
  constructor(private readonly recordClick: RecordClick) {}

  /** The offer link of a promotion: records the click, then 302 to the offer. */
  @Get(':requestId')
  async open(@Param('requestId') requestId: string, @Query('t') token: unknown, @Res() res: FastifyReply): Promise<void> {
    const url = await this.recordClick.execute(requestId, token, new Date());
    void res.headers({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).redirect(url, 302);
  }
}
