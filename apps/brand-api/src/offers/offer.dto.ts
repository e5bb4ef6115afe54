import { Audience, OfferMessage, OfferStatus } from '@app/contracts';
import { z } from 'zod';

const Locale = z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a locale such as fr or fr-FR');

export const CreateOfferBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    storeIds: z.array(z.uuid()).max(10_000).optional(),
    message: OfferMessage.strict(),
    locales: z.record(Locale, OfferMessage.strict()).optional(),
    startsAt: z.iso.datetime({ offset: true }),
    endsAt: z.iso.datetime({ offset: true }),
    trigger: z.enum(['enter', 'dwell']).default('enter'),
    dwellSeconds: z.number().int().min(30).max(4 * 3600).optional(),
    caps: z
      .object({
        perShopperPerDay: z.number().int().positive().optional(),
        perShopperTotal: z.number().int().positive().optional(),
        maxSends: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    cooldownMinutes: z.number().int().min(0).max(30 * 24 * 60).optional(),
    priority: z.number().int().min(-1000).max(1000).default(0),
    audience: Audience.strict().optional(),
    status: OfferStatus.default('draft'),
  })
  .strict()
  .superRefine((offer, ctx) => {
    if (Date.parse(offer.endsAt) <= Date.parse(offer.startsAt)) {
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
    }
    if (offer.trigger === 'dwell' && offer.dwellSeconds === undefined) {
      ctx.addIssue({ code: 'custom', path: ['dwellSeconds'], message: 'is required when trigger is dwell' });
    }
  });
export type CreateOfferBody = z.infer<typeof CreateOfferBody>;
