/**
 * Meta's webhook payloads (MESSENGER.md "Event shapes"), built from what a test says the shopper
 * did, and the shopper interactions a payload implies. Pure; ids and times are passed in.
 */
export type ShopperAction =
  | { kind: 'message'; message: Record<string, unknown> }
  | { kind: 'postback'; postback: { title?: string; payload: string; [key: string]: unknown } }
  | { kind: 'optin'; optin: Record<string, unknown> }
  | { kind: 'read'; read: { watermark: number } }
  | { kind: 'delivery'; delivery: { mids?: string[]; watermark: number } };

export interface MessagingEvent {
  sender: { id: string };
  recipient: { id: string };
  timestamp: number;
  [event: string]: unknown;
}

export interface PageWebhook {
  object: 'page';
  entry: { id: string; time: number; messaging: MessagingEvent[] }[];
}

/** Messages and postbacks carry a `mid` and open the standard window; the other events do neither. */
export function carriesMid(action: ShopperAction): boolean {
  return action.kind === 'message' || action.kind === 'postback';
}

export function messagingEvent(
  pageId: string,
  psid: string,
  action: ShopperAction,
  at: { timestampMs: number; mid: string },
): MessagingEvent {
  const head = { sender: { id: psid }, recipient: { id: pageId }, timestamp: at.timestampMs };
  switch (action.kind) {
    case 'message':
      return { ...head, message: { mid: at.mid, ...action.message } };
    case 'postback': {
      const { title, payload, ...rest } = action.postback;
      return {
        ...head,
        postback: { ...(title === undefined ? {} : { title }), payload, mid: at.mid, ...rest },
      };
    }
    case 'optin':
      return { ...head, optin: action.optin };
    case 'read':
      return { ...head, read: action.read };
    case 'delivery':
      return { ...head, delivery: action.delivery };
  }
}

export function pageWebhook(pageId: string, timeMs: number, events: MessagingEvent[]): PageWebhook {
  return { object: 'page', entry: [{ id: pageId, time: timeMs, messaging: events }] };
}

export interface Interaction {
  pageId: string;
  psid: string;
  atMs: number;
  /** A message or postback (not an echo): opens Meta's 24-hour window. */
  opensWindow: boolean;
}

/** The shoppers a raw webhook body shows talking to Pages, so the Send API knows them. */
export function interactionsIn(webhook: unknown, nowMs: number): Interaction[] {
  const found: Interaction[] = [];
  const entries = (webhook as { entry?: unknown } | null)?.entry;
  if (!Array.isArray(entries)) return found;
  for (const entry of entries as { id?: unknown; messaging?: unknown }[]) {
    if (!entry || !Array.isArray(entry.messaging)) continue;
    for (const event of entry.messaging as Record<string, unknown>[]) {
      const psid = idOf(event?.sender);
      const pageId =
        idOf(event?.recipient) ?? (typeof entry.id === 'string' ? entry.id : undefined);
      if (!psid || !pageId) continue;
      const message = event.message as { is_echo?: unknown } | undefined;
      if (message?.is_echo === true) continue;
      const atMs = typeof event.timestamp === 'number' ? event.timestamp : nowMs;
      found.push({
        pageId,
        psid,
        atMs,
        opensWindow: message !== undefined || event.postback !== undefined,
      });
    }
  }
  return found;
}

function idOf(party: unknown): string | undefined {
  const id = (party as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}
