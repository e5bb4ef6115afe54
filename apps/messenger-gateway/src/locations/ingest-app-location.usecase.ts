import { ChannelDirectory } from '@app/channels';
import { parseShopperId } from '@app/contracts';
import { DomainError } from '@app/http';
import { Injectable } from '@nestjs/common';
import { ApiKeyDirectory } from '../api-keys/api-key-directory';
import { IngestLocation } from './ingest-location.usecase';
import { AppLocationBody, takenAtMs } from './location.dto';

/** POST /v1/locations: a brand's app may report its own shoppers only (their Page is the brand's). */
@Injectable()
export class IngestAppLocation {
  constructor(
    private readonly keys: ApiKeyDirectory,
    private readonly channels: ChannelDirectory,
    private readonly ingest: IngestLocation,
  ) {}

  async execute(apiKey: string | null, body: AppLocationBody, receivedAt: Date): Promise<{ id: string }> {
    if (!apiKey) throw new DomainError('UNAUTHENTICATED', 'an API key is required (Authorization: Bearer <key>)');
    const brandId = this.keys.brandOfKey(apiKey);
    if (!brandId) throw new DomainError('UNAUTHENTICATED', 'unknown or revoked API key');
    const { pageId, psid } = parseShopperId(body.shopperId);
    const channel = await this.channels.get(pageId);
    if (!channel || channel.brandId !== brandId) {
      throw new DomainError('FORBIDDEN', 'this shopper is not on a Messenger Page of your brand', [
        { field: 'shopperId', message: 'Page not connected to this brand' },
      ]);
    }
    return this.ingest.execute({
      pageId, psid, brandId,
      lat: body.lat, lng: body.lng, accuracyM: body.accuracyM ?? null,
      source: 'api', takenAtMs: takenAtMs(body.takenAt), receivedAt,
      locale: body.locale,
      timezone: body.timezone,
    });
  }
}
