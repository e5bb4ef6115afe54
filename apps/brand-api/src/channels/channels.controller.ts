import { ZodPipe, notFound } from '@app/http';
import { Body, Controller, Delete, Get, HttpCode, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AuthenticatedBrand, BrandAuthGuard, CurrentBrand } from '../auth/brand-auth.guard';
import { ApiErrors, ApiExample, ApiJsonBody } from '../common/openapi';
import { ChannelRepository } from './channel.repository';
import { ChannelView, toChannelView } from './channel.view';
import { ConnectChannel } from './connect-channel.usecase';
import { DisconnectChannel } from './disconnect-channel.usecase';

const ConnectBody = z
  .object({
    pageId: z.string().regex(/^[0-9A-Za-z_-]{1,64}$/, 'must be a Facebook Page id'),
    pageAccessToken: z.string().min(10).max(1024),
    appSecret: z.string().min(8).max(256),
    verifyToken: z.string().min(8).max(256),
  })
  .strict();

const EXAMPLE_VIEW = { type: 'messenger', pageId: '104857600123', connected: true, version: 1, updatedAt: '2026-01-05T09:30:00.000Z' };

@ApiTags('channels')
@ApiBearerAuth()
@UseGuards(BrandAuthGuard)
@Controller('v1/channels/messenger')
export class ChannelsController {
  constructor(
    private readonly connectChannel: ConnectChannel,
    private readonly disconnectChannel: DisconnectChannel,
    private readonly channels: ChannelRepository,
  ) {}

  @Put()
  @ApiOperation({ summary: "Connect the brand's Messenger Page. Secrets are stored sealed and never returned." })
  @ApiJsonBody(ConnectBody, {
    pageId: '104857600123',
    pageAccessToken: 'EAAG…page-access-token',
    appSecret: '0123456789abcdef0123456789abcdef',
    verifyToken: 'a-long-random-verify-token',
  })
  @ApiExample(200, 'Connected (no secret in the answer)', EXAMPLE_VIEW)
  @ApiErrors(400, 401, 409)
  connect(@CurrentBrand() brand: AuthenticatedBrand, @Body(new ZodPipe(ConnectBody)) body: z.infer<typeof ConnectBody>): Promise<ChannelView> {
    return this.connectChannel.execute({ brandId: brand.brandId, ...body });
  }

  @Get()
  @ApiOperation({ summary: "The brand's connected Page (never its secrets)." })
  @ApiExample(200, 'The channel', EXAMPLE_VIEW)
  @ApiErrors(401, 404)
  async get(@CurrentBrand() brand: AuthenticatedBrand): Promise<ChannelView> {
    const channel = await this.channels.findByBrand(brand.brandId);
    if (!channel) throw notFound('messenger channel');
    return toChannelView(channel);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: "Disconnect the brand's Page; its secrets are deleted and the Page is no longer served." })
  @ApiExample(204, 'Disconnected')
  @ApiErrors(401, 404)
  async disconnect(@CurrentBrand() brand: AuthenticatedBrand): Promise<void> {
    await this.disconnectChannel.execute(brand.brandId);
  }
}
