import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RecordClick } from './record-click.usecase';

@ApiTags('offer links')
@Controller('r')
export class ClicksController {
  constructor(private readonly recordClick: RecordClick) {}

  /** The offer link of a promotion: records the click, then 302 to the offer. */
  @Get(':requestId')
  async open(@Param('requestId') requestId: string, @Query('t') token: unknown, @Res() res: Response): Promise<void> {
    const url = await this.recordClick.execute(requestId, token, new Date());
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.redirect(302, url);
  }
}
