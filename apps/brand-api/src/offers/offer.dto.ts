import { Audience, OfferMessage, OfferStatus, OfferVariant } from '@app/contracts';
import { z } from 'zod';

const Locale = z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a locale such as fr or fr-FR');
/** Messenger's generic template: title and subtitle ≤ 80 characters, https links (contract). */
const Message = OfferMessage.strict();
const Trigger = z.enum(['enter', 'dwell']);

/**
 * Every field of an offer as a brand sends it (ARCHITECTURE.md §4), without defaults so PATCH can
 * reuse it. To add a field (e.g. issue 5's A/B variants and control share): add it here, to
 * OfferEntity and a migration, and to `offerColumns` / `toOfferBody` / `toOfferSnapshot` in
 * offer.view.ts; the create, update and publish paths all go through those four places.
 */
export const OfferFields = {
  name: z.string().trim().min(1).max(200),
  storeIds: z.array(z.uuid()).max(10_000),
  message: Message,
  locales: z
    .record(Locale, Message)
    .refine((l) => Object.keys(l).length <= 30, 'at most 30 locales'),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }),
  trigger: Trigger,
  dwellSeconds: z.number().int().min(30).max(4 * 3600).nullable(),
  caps: z
    .object({
      perShopperPerDay: z.number().int().positive().max(1000).optional(),
      perShopperTotal: z.number().int().positive().max(100_000).optional(),
      maxSends: z.number().int().positive().optional(),
    })
    .strict(),
  cooldownMinutes: z.number().int().min(0).max(30 * 24 * 60).nullable(),
  priority: z.number().int().min(-1000).max(1000),
  audience: Audience.strict().nullable(),
  status: OfferStatus,
  /** A/B message variants with relative weights; assignment is sticky per shopper (engine). */
  variants: z
    .array(OfferVariant.extend({ message: Message, locales: z.record(Locale, Message).optional() }).strict())
    .max(10)
    .refine((v) => new Set(v.map((x) => x.id)).size === v.length, 'variant ids must be unique'),
  /** Share of shoppers held out as a control group: decided and recorded, never sent. */
  controlShare: z.number().min(0).max(0.9),
};

type OfferShape = { [K in keyof typeof OfferFields]: z.infer<(typeof OfferFields)[K]> };

/** Rules across fields; shared by create and by the merged result of a PATCH. */
export function offerRules(
  offer: Pick<OfferShape, 'startsAt' | 'endsAt' | 'trigger'> & { dwellSeconds?: number | null },
  ctx: z.RefinementCtx,
): void {
  if (Date.parse(offer.endsAt) <= Date.parse(offer.startsAt)) {
    ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
  }
  if (offer.trigger === 'dwell' && (offer.dwellSeconds === undefined || offer.dwellSeconds === null)) {
    ctx.addIssue({ code: 'custom', path: ['dwellSeconds'], message: 'is required when trigger is dwell' });
  }
  if (offer.trigger === 'enter' && offer.dwellSeconds !== undefined && offer.dwellSeconds !== null) {
    ctx.addIssue({ code: 'custom', path: ['dwellSeconds'], message: 'only applies when trigger is dwell' });
  }
}

export const CreateOfferBody = z
  .object({
    ...OfferFields,
    storeIds: OfferFields.storeIds.optional(),
    locales: OfferFields.locales.optional(),
    trigger: Trigger.default('enter'),
    dwellSeconds: OfferFields.dwellSeconds.optional(),
    caps: OfferFields.caps.optional(),
    cooldownMinutes: OfferFields.cooldownMinutes.optional(),
    priority: OfferFields.priority.default(0),
    audience: OfferFields.audience.optional(),
    variants: OfferFields.variants.optional(),
    controlShare: OfferFields.controlShare.optional(),
    status: z.enum(['draft', 'active'], { error: 'a new offer is draft or active' }).default('draft'),
  })
  .strict()
  .superRefine(offerRules);
export type CreateOfferBody = z.infer<typeof CreateOfferBody>;

/** PATCH: any subset of the fields, status included (checked against the lifecycle). */
export const UpdateOfferBody = z
  .object(OfferFields)
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to change');
export type UpdateOfferBody = z.infer<typeof UpdateOfferBody>;

/** A whole offer, as stored; the merged result of a PATCH is checked against it. */
export const OfferBody = z.object(OfferFields).strict().superRefine(offerRules);
export type OfferBody = z.infer<typeof OfferBody>;

export const ListOffersQuery = z
  .object({
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    status: OfferStatus.optional(),
  })
  .strict();
export type ListOffersQuery = z.infer<typeof ListOffersQuery>;
