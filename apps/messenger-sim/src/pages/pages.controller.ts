import { ZodPipe } from '@app/http';
import { Body, Controller, Delete, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import {
  DeliveryQuery,
  RawWebhookBody,
  RegisterPageBody,
  SetShopperBody,
  ShopperEventBody,
} from './pages.dto';
import { PagesService, ShopperEventResult, ShopperView, WebhookDelivery } from './pages.service';

/** Test controls for Meta's webhook side: register Pages, and make shoppers write to them. */
@Controller('__sim/pages')
export class PagesController {
  constructor(private readonly pages: PagesService) {}

  @Post()
  @HttpCode(201)
  register(
    @Body(new ZodPipe(RegisterPageBody)) body: RegisterPageBody,
  ): Promise<{ pageId: string; verified: true }> {
    return this.pages.register(body);
  }

  @Delete(':pageId')
  remove(@Param('pageId') pageId: string): { pageId: string; deleted: true } {
    return this.pages.remove(pageId);
  }

  /** Answers with the webhook's own HTTP status, so a 403 from the gateway shows as 403. */
  @Post(':pageId/shoppers/:psid/messages')
  async shopperEvent(
    @Param('pageId') pageId: string,
    @Param('psid') psid: string,
    @Query(new ZodPipe(DeliveryQuery, 'query')) query: DeliveryQuery,
    @Body(new ZodPipe(ShopperEventBody)) body: ShopperEventBody,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<ShopperEventResult> {
    const result = await this.pages.shopperEvent(pageId, psid, body, query.signature);
    void res.status(result.webhookStatus);
    return result;
  }

  @Put(':pageId/shoppers/:psid')
  setShopper(
    @Param('pageId') pageId: string,
    @Param('psid') psid: string,
    @Body(new ZodPipe(SetShopperBody)) body: z.infer<typeof SetShopperBody>,
  ): ShopperView {
    return this.pages.setShopper(pageId, psid, body.lastInteractionAt);
  }

  @Post(':pageId/webhook')
  async rawWebhook(
    @Param('pageId') pageId: string,
    @Query(new ZodPipe(DeliveryQuery, 'query')) query: DeliveryQuery,
    @Body(new ZodPipe(RawWebhookBody, 'webhook body')) body: z.infer<typeof RawWebhookBody>,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<WebhookDelivery> {
    const result = await this.pages.rawWebhook(pageId, body, query.signature);
    void res.status(result.webhookStatus);
    return result;
  }
}
