import { ZodPipe } from '@app/http';
import { Body, Controller, Get, Header, Headers, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { WebFixBody } from '../locations/location.dto';
import { pageLang, sharePageHtml } from './share-page';
import { ShareWebLocation } from './share-web-location.usecase';

@ApiTags('location page')
@Controller('share-location')
export class ShareLocationController {
  constructor(private readonly shareWebLocation: ShareWebLocation) {}

  /** The page itself; an invalid or expired link gets the page saying so (403), without asking for a position. */
  @Get()
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  page(@Query('t') token: unknown, @Headers('accept-language') acceptLanguage: string | undefined, @Res({ passthrough: true }) res: FastifyReply): string {
    const valid = this.shareWebLocation.isValidLink(token, Date.now());
    if (!valid) void res.status(403);
    return sharePageHtml(pageLang(acceptLanguage), valid ? (token as string) : null);
  }

  @Post('fixes')
  @HttpCode(202)
  fix(@Body(new ZodPipe(WebFixBody)) body: WebFixBody): Promise<{ id: string }> {
    return this.shareWebLocation.execute(body, new Date());
  }
}
