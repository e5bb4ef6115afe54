import { Controller, Get, Header, HttpCode, Post, Query, Req, Headers } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { WithRawBody } from '@app/http';
import type { FastifyRequest } from 'fastify';
import { ReceiveWebhook } from './receive-webhook.usecase';
import { VerifyWebhook } from './verify-webhook.usecase';
import { WebhookAdmission } from './webhook-admission';

@ApiTags('messenger webhook')
@Controller('webhooks/messenger')
export class WebhookController {
  constructor(
    private readonly verifyWebhook: VerifyWebhook,
    private readonly receiveWebhook: ReceiveWebhook,
    private readonly admission: WebhookAdmission,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain')
  @ApiExcludeEndpoint()
  verify(
    @Query('hub.mode') mode?: string,
    @Query('hub.verify_token') verifyToken?: string,
    @Query('hub.challenge') challenge?: string,
  ): Promise<string> {
    return this.verifyWebhook.execute({ mode, verifyToken, challenge });
  }

  @Post()
  @HttpCode(200)
  @Header('Content-Type', 'text/plain')
  @ApiExcludeEndpoint()
  async receive(
    @Req() req: WithRawBody<FastifyRequest>,
    @Headers('x-hub-signature-256') signature256?: string,
  ): Promise<string> {
    const receivedAt = new Date();
    await this.admission.within(() => this.receiveWebhook.execute({ rawBody: req.rawBody ?? Buffer.alloc(0), signature256, receivedAt }));
    return 'EVENT_RECEIVED';
  }
}
