import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { InboxMessage, InspectionService, PageSend } from './inspection.service';
import type { StatsView } from './sim-stats';

@Controller('__sim')
export class InspectionController {
  constructor(private readonly inspection: InspectionService) {}

  /** What the Page sent this shopper and the simulator accepted, oldest first. */
  @Get('pages/:pageId/shoppers/:psid/inbox')
  inbox(
    @Param('pageId') pageId: string,
    @Param('psid') psid: string,
  ): { messages: InboxMessage[] } {
    return this.inspection.inbox(pageId, psid);
  }

  @Get('pages/:pageId/sends')
  sends(@Param('pageId') pageId: string): { sends: PageSend[] } {
    return this.inspection.sends(pageId);
  }

  @Get('stats')
  stats(): StatsView & { stored: number; evicted: number } {
    return this.inspection.stats();
  }

  /** Forgets every Page, shopper, inbox, count and fault. */
  @Delete('state')
  @HttpCode(204)
  reset(): void {
    this.inspection.reset();
  }
}
