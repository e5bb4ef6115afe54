import { ZodPipe } from '@app/http';
import { Body, Controller, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AuthenticatedBrand, BrandAuthGuard, CurrentBrand } from '../auth/brand-auth.guard';
import { ChannelView, ConnectChannel } from './connect-channel.usecase';

const ConnectBody = z
  .object({
    pageId: z.string().regex(/^[0-9A-Za-z_-]{1,64}$/, 'must be a Facebook Page id'),
    pageAccessToken: z.string().min(10).max(1024),
    appSecret: z.string().min(8).max(256),
    verifyToken: z.string().min(8).max(256),
  })
  .strict();

@ApiTags('channels')
@ApiBearerAuth()
@UseGuards(BrandAuthGuard)
@Controller('v1/channels/messenger')
export class ChannelsController {
  constructor(private readonly connectChannel: ConnectChannel) {}

  @Put()
  @ApiOperation({ summary: "Connect the brand's Messenger Page. Secrets are stored sealed and never returned." })
  connect(
    @CurrentBrand() brand: AuthenticatedBrand,
    @Body(new ZodPipe(ConnectBody)) body: z.infer<typeof ConnectBody>,
  ): Promise<ChannelView> {
    return this.connectChannel.execute({ brandId: brand.brandId, ...body });
  }
}
