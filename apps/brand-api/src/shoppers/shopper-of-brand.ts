import { SHOPPER_ID_PATTERN, parseShopperId } from '@app/contracts';
import { DomainError, notFound } from '@app/http';
import type { ChannelRepository } from '../channels/channel.repository';

export interface BrandShopper {
  shopperId: string;
  pageId: string;
  psid: string;
}

/**
 * A shopper id is `<pageId>:<psid>` and a Page belongs to one brand: a shopper of another brand's
 * Page (or of no connected Page) is answered exactly like an unknown one, 404.
 */
export async function shopperOfBrand(channels: ChannelRepository, brandId: string, shopperId: string): Promise<BrandShopper> {
  if (!SHOPPER_ID_PATTERN.test(shopperId)) {
    throw new DomainError('VALIDATION_FAILED', 'invalid shopperId', [{ field: 'shopperId', message: 'must be <pageId>:<psid>' }]);
  }
  const { pageId, psid } = parseShopperId(shopperId);
  const channel = await channels.findByBrand(brandId);
  if (!channel || channel.pageId !== pageId) throw notFound('shopper');
  return { shopperId, pageId, psid };
}
