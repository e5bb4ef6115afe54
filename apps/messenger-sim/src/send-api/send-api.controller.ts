import { Body, Controller, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SendApiService, SendOutcome } from './send-api.service';

/**
 * `POST /v{X.Y}/me/messages` and `POST /v{X.Y}/{pageId}/messages`, as graph.facebook.com. Answers
 * Graph's own error bodies (not the project's error shape), so it bypasses ZodPipe: the body is
 * checked by the service after injected faults, as Meta does.
 */
@Controller()
export class SendApiController {
  constructor(private readonly sendApi: SendApiService) {}

  @Post(':version/:page/messages')
  @HttpCode(200)
  async send(
    @Param('version') version: string,
    @Param('page') page: string,
    @Query('access_token') queryToken: unknown,
    @Headers('authorization') authorization: string | undefined,
    @Headers('traceparent') traceparent: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<SendOutcome['body']> {
    const outcome = await this.sendApi.send({
      version,
      pathPage: page,
      token: accessToken(queryToken, authorization, body),
      body,
      traceparent,
    });
    void res.status(outcome.status);
    return outcome.body;
  }
}

/** Graph takes the token from the query, an `Authorization: Bearer` header, or a form field. */
function accessToken(
  query: unknown,
  authorization: string | undefined,
  body: unknown,
): string | undefined {
  if (typeof query === 'string' && query.length > 0) return query;
  const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer) return bearer;
  const field = (body as { access_token?: unknown } | null | undefined)?.access_token;
  return typeof field === 'string' && field.length > 0 ? field : undefined;
}
