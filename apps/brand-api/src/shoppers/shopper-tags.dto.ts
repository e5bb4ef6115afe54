import { MAX_SHOPPER_TAGS, ShopperTag } from '@app/contracts';
import { z } from 'zod';

/** PUT /v1/shoppers/:shopperId/tags: the shopper's whole tag list (it replaces the previous one). */
export const ShopperTagsBody = z.strictObject({
  tags: z.array(ShopperTag).max(MAX_SHOPPER_TAGS),
});
export type ShopperTagsBody = z.infer<typeof ShopperTagsBody>;

export interface ShopperTagsView {
  shopperId: string;
  /** Distinct tags, in the order given. */
  tags: string[];
  /** When the list was set: the engine keeps the newest list. */
  setAt: string;
  /** shopper.tags.v1 was recorded in the outbox and is published to the promotion engine. */
  tagsEvent: 'published';
}
