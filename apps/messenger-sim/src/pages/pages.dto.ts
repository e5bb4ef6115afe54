import { z } from 'zod';
import type { ShopperAction } from './webhook-events';

export const RegisterPageBody = z.strictObject({
  pageId: z.string().regex(/^[0-9A-Za-z_-]{1,64}$/, 'must be a Page id (letters, digits, _ or -)'),
  accessToken: z.string().min(1).max(1024),
  appSecret: z.string().min(1).max(256),
  verifyToken: z.string().min(1).max(256),
  webhookUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
});
export type RegisterPageBody = z.infer<typeof RegisterPageBody>;

/** `?signature=bad` sends a wrong (well-formed) signature, `?signature=missing` none: for the receiver's 403 tests. */
export const DeliveryQuery = z.object({
  signature: z.enum(['good', 'bad', 'missing']).default('good'),
});
export type DeliveryQuery = z.infer<typeof DeliveryQuery>;

const INBOUND_ATTACHMENT_TYPES = [
  'image',
  'video',
  'audio',
  'file',
  'location',
  'fallback',
] as const;
const Attachment = z.looseObject({
  type: z.enum(INBOUND_ATTACHMENT_TYPES),
  payload: z.unknown().optional(),
});
const messageFields = {
  text: z.string().min(1).optional(),
  attachments: z.array(Attachment).min(1).optional(),
  quick_reply: z.looseObject({ payload: z.string().min(1) }).optional(),
};
const Message = z
  .looseObject(messageFields)
  .refine(
    (m) => m.text !== undefined || m.attachments !== undefined,
    'a message needs text or attachments',
  );

/**
 * What the shopper did: a Messenger `message` (bare, `{text}` / `{attachments}`, or wrapped as
 * `{message:{…}}`), a `postback`, an `optin`, a `read` or a `delivery`; `timestamp` (epoch ms)
 * back-dates the event, e.g. to simulate a message older than the 24-hour window.
 */
export const ShopperEventBody = z
  .strictObject({
    ...messageFields,
    message: Message.optional(),
    postback: z
      .looseObject({ title: z.string().optional(), payload: z.string().min(1) })
      .optional(),
    optin: z.record(z.string(), z.unknown()).optional(),
    read: z.strictObject({ watermark: z.number().int().positive() }).optional(),
    delivery: z
      .strictObject({
        mids: z.array(z.string().min(1)).optional(),
        watermark: z.number().int().positive(),
      })
      .optional(),
    timestamp: z.number().int().positive().optional(),
  })
  .superRefine((body, ctx) => {
    const bare =
      body.text !== undefined || body.attachments !== undefined || body.quick_reply !== undefined;
    const kinds = [bare, body.message, body.postback, body.optin, body.read, body.delivery].filter(
      Boolean,
    ).length;
    if (kinds !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message:
          'give exactly one of: a message ({text} / {attachments} / {message}), postback, optin, read, delivery',
      });
    } else if (bare && body.text === undefined && body.attachments === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['text'],
        message: 'a message needs text or attachments',
      });
    }
  })
  .transform((body): { action: ShopperAction; timestampMs?: number } => {
    const timestampMs = body.timestamp;
    if (body.message) return { action: { kind: 'message', message: body.message }, timestampMs };
    if (body.postback)
      return { action: { kind: 'postback', postback: body.postback }, timestampMs };
    if (body.optin) return { action: { kind: 'optin', optin: body.optin }, timestampMs };
    if (body.read) return { action: { kind: 'read', read: body.read }, timestampMs };
    if (body.delivery)
      return { action: { kind: 'delivery', delivery: body.delivery }, timestampMs };
    const { text, attachments, quick_reply } = body;
    const message = {
      ...(text === undefined ? {} : { text }),
      ...(attachments === undefined ? {} : { attachments }),
      ...(quick_reply === undefined ? {} : { quick_reply }),
    };
    return { action: { kind: 'message', message }, timestampMs };
  });
export type ShopperEventBody = z.infer<typeof ShopperEventBody>;

/** A Meta webhook body sent as-is (signed), e.g. several entries or events in one request. */
export const RawWebhookBody = z.record(z.string(), z.unknown());

export const SetShopperBody = z.strictObject({
  /** Epoch ms or ISO date of the shopper's last message or postback; null: never wrote. */
  lastInteractionAt: z.union([
    z.number().int().nonnegative(),
    z.iso.datetime({ offset: true }),
    z.null(),
  ]),
});
