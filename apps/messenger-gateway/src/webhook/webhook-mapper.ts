import {
  deterministicId,
  InteractionKind,
  ShopperCommand,
  ShopperInteraction,
  ShopperLocation,
  toShopperId,
} from '@app/contracts';
import { commandOfPayload, detectCommand } from './commands';
import { MessagingEvent, type WebhookBody } from './webhook.schema';

export type MappedEvent =
  | { topic: 'shopper.location.v1'; id: string; data: ShopperLocation }
  | { topic: 'shopper.interaction.v1'; id: string; data: ShopperInteraction };

export interface MappedWebhook {
  events: MappedEvent[];
  /** Message ids seen, to deduplicate Meta's retries. */
  messageIds: string[];
  ignored: number;
}

/** The same Meta event always gets the same event id, so a retried webhook is recognisable. */
const stableEventId = deterministicId;

/**
 * Turns a verified webhook into events, in each Page's timestamp order. Echoes (our own messages)
 * are ignored. A location attachment becomes a location event only: it opens Messenger's window
 * like any message, and the engine learns that from the transition the share causes (its source
 * and sharedAt), so no reader of shopper.interaction.v1 has to read every share (BENCHMARKS.md,
 * "Requests per share"). Its text, if the message has one, is an interaction as usual.
 */
export function mapWebhook(body: WebhookBody, brandOfPage: Map<string, string>, receivedAt: Date): MappedWebhook {
  const events: MappedEvent[] = [];
  const messageIds: string[] = [];
  let ignored = 0;
  for (const entry of body.entry) {
    const brandId = brandOfPage.get(entry.id);
    if (!brandId) {
      ignored += entry.messaging.length;
      continue;
    }
    const parsed = entry.messaging.map((m) => MessagingEvent.safeParse(m));
    ignored += parsed.filter((p) => !p.success).length;
    const ordered = parsed.flatMap((p) => (p.success ? [p.data] : [])).sort((a, b) => a.timestamp - b.timestamp);
    for (const m of ordered) {
      if (m.message?.is_echo || m.recipient.id !== entry.id) {
        ignored += 1;
        continue;
      }
      // Whatever Meta (or a forger with the secret) sends, nothing off-contract goes to Kafka.
      const mapped = mapMessaging(m, entry.id, brandId, receivedAt).filter(isValid);
      if (mapped.length === 0) ignored += 1;
      events.push(...mapped);
      const mid = m.message?.mid ?? m.postback?.mid;
      if (mid) messageIds.push(mid);
    }
  }
  return { events, messageIds, ignored };
}

function isValid(event: MappedEvent): boolean {
  return (event.topic === 'shopper.location.v1' ? ShopperLocation : ShopperInteraction).safeParse(event.data).success;
}

const clip = (text: string | null | undefined): string | null => (text === undefined || text === null ? null : text.slice(0, 4000));

/**
 * Events are written out as plain literals, not `{ ...ref, more }`: on Node 20's V8 every property
 * added after a spread costs about 2 µs (BENCHMARKS.md, "Object spread"), and the spread versions
 * of the two literals below took 57 µs per location webhook.
 */
function mapMessaging(m: MessagingEvent, pageId: string, brandId: string, receivedAt: Date): MappedEvent[] {
  const psid = m.sender.id;
  const shopperId = toShopperId(pageId, psid);
  const at = new Date(m.timestamp).toISOString();
  const received = receivedAt.toISOString();
  const interaction = (
    kind: InteractionKind,
    key: string,
    fields: { text?: string | null; payload?: string | null; command?: ShopperCommand | null; messageId?: string | null; watermark?: number | null },
    opensWindow: boolean,
  ): MappedEvent => ({
    topic: 'shopper.interaction.v1',
    id: stableEventId(pageId, psid, kind, key),
    data: {
      shopperId,
      pageId,
      psid,
      brandId,
      kind,
      opensWindow,
      text: fields.text ?? null,
      payload: fields.payload ?? null,
      command: fields.command ?? null,
      messageId: fields.messageId ?? null,
      watermark: fields.watermark ?? null,
      at,
      receivedAt: received,
    },
  });

  if (m.message) {
    const { mid, text, quick_reply, attachments } = m.message;
    const out: MappedEvent[] = [];
    for (const [i, attachment] of (attachments ?? []).entries()) {
      const coordinates = attachment.payload?.coordinates;
      if (attachment.type === 'location' && coordinates) {
        out.push({
          topic: 'shopper.location.v1',
          id: stableEventId(pageId, psid, 'location', mid, String(i)),
          data: {
            shopperId,
            pageId,
            psid,
            brandId,
            lat: coordinates.lat,
            lng: coordinates.long,
            accuracyM: null,
            source: 'messenger',
            sharedAt: at,
            receivedAt: received,
            messageId: mid,
          },
        });
      } else {
        out.push(interaction('attachment', `${mid}:${i}`, { messageId: mid, payload: clip(attachment.type) }, true));
      }
    }
    if (text !== undefined || quick_reply) {
      const payload = clip(quick_reply?.payload);
      out.push(
        interaction(
          quick_reply ? 'quick_reply' : 'text',
          mid,
          { messageId: mid, text: text?.slice(0, 4000) ?? null, payload, command: commandOfPayload(payload) ?? detectCommand(text) },
          true,
        ),
      );
    }
    return out;
  }
  if (m.postback) {
    const payload = clip(m.postback.payload);
    const key = m.postback.mid ?? `${m.timestamp}:${payload}`;
    return [
      interaction('postback', key, { messageId: m.postback.mid ?? null, text: clip(m.postback.title), payload, command: commandOfPayload(payload) }, true),
    ];
  }
  if (m.delivery) return [interaction('delivery', `d:${m.delivery.watermark}`, { watermark: m.delivery.watermark }, false)];
  if (m.read) return [interaction('read', `r:${m.read.watermark}`, { watermark: m.read.watermark }, false)];
  if (m.optin) {
    const status = m.optin.notification_messages_status ?? null;
    const command: ShopperCommand | null = status === 'STOP_NOTIFICATIONS' ? 'stop' : status === 'RESUME_NOTIFICATIONS' ? 'start' : null;
    return [interaction('optin', `o:${m.timestamp}`, { payload: clip(m.optin.type), command }, true)];
  }
  return [];
}
