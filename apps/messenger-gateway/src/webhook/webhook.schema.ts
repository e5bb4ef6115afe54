import { z } from 'zod';

/** Meta's webhook body (MESSENGER.md), loosely: unknown fields are kept and ignored. */
const Attachment = z.looseObject({
  type: z.string(),
  title: z.string().optional(),
  payload: z
    .looseObject({
      url: z.string().optional(),
      coordinates: z.object({ lat: z.number(), long: z.number() }).optional(),
    })
    .nullable()
    .optional(),
});

export const MessagingEvent = z.looseObject({
  sender: z.object({ id: z.string().min(1) }),
  recipient: z.object({ id: z.string().min(1) }),
  /** Epoch ms; bounded so that it is a valid date. */
  timestamp: z.number().int().nonnegative().max(8.64e15),
  message: z
    .looseObject({
      mid: z.string().min(1),
      text: z.string().optional(),
      is_echo: z.boolean().optional(),
      quick_reply: z.object({ payload: z.string() }).optional(),
      attachments: z.array(Attachment).optional(),
    })
    .optional(),
  postback: z.looseObject({ title: z.string().optional(), payload: z.string().optional(), mid: z.string().optional() }).optional(),
  delivery: z.looseObject({ mids: z.array(z.string()).optional(), watermark: z.number().int().nonnegative().max(8.64e15) }).optional(),
  read: z.looseObject({ watermark: z.number().int().nonnegative().max(8.64e15) }).optional(),
  optin: z.looseObject({ type: z.string().optional(), notification_messages_status: z.string().optional() }).optional(),
});
export type MessagingEvent = z.infer<typeof MessagingEvent>;

export const WebhookBody = z.looseObject({
  object: z.string(),
  entry: z.array(
    z.looseObject({
      id: z.string().min(1),
      time: z.number(),
      // Each event is checked on its own (webhook-mapper), so one odd event cannot block the others.
      messaging: z.array(z.unknown()).max(10_000).default([]),
    }),
  ),
});
export type WebhookBody = z.infer<typeof WebhookBody>;
