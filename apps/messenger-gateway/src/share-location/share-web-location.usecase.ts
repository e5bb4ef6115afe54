import { ChannelDirectory, verifyShareLink } from '@app/channels';
import { DomainError } from '@app/http';
import { Inject, Injectable } from '@nestjs/common';
import { IngestLocation } from '../locations/ingest-location.usecase';
import { WebFixBody, takenAtMs } from '../locations/location.dto';

export const LINK_KEY = Symbol('LINK_KEY');

/** A fix posted by the location page: the link's token says which shopper of which Page it is. */
@Injectable()
export class ShareWebLocation {
  constructor(
    @Inject(LINK_KEY) private readonly linkKey: Buffer,
    private readonly channels: ChannelDirectory,
    private readonly ingest: IngestLocation,
  ) {}

  /** Whether the page's link is still valid (the page then says so instead of asking for a position). */
  isValidLink(token: unknown, nowMs: number): boolean {
    return verifyShareLink(this.linkKey, token, nowMs) !== null;
  }

  async execute(body: WebFixBody, receivedAt: Date): Promise<{ id: string }> {
    const claims = verifyShareLink(this.linkKey, body.t, receivedAt.getTime());
    if (!claims) throw new DomainError('FORBIDDEN', 'this location link is invalid or expired', [{ field: 't', message: 'invalid or expired' }]);
    const channel = await this.channels.get(claims.pageId);
    if (!channel) throw new DomainError('FORBIDDEN', 'this Page is no longer connected');
    return this.ingest.execute({
      pageId: claims.pageId,
      psid: claims.psid,
      brandId: channel.brandId,
      lat: body.lat,
      lng: body.lng,
      accuracyM: body.accuracyM ?? null,
      source: 'web',
      takenAtMs: takenAtMs(body.takenAt),
      receivedAt,
      locale: body.locale,
      timezone: body.timezone,
    });
  }
}
