import { GraphError, GraphErrors } from './graph-error';

/**
 * What a Send API request body must look like (MESSENGER.md "Send API"), checked the way Graph
 * does: the first problem found answers code 100 with Meta's `param a[b][c]` naming. Pure; the
 * limits are the documented ones, lengths counted in UTF-16 units (the stricter reading).
 */
export const MESSAGING_TYPES = ['RESPONSE', 'UPDATE', 'MESSAGE_TAG'] as const;
export type MessagingType = (typeof MESSAGING_TYPES)[number];

export const MESSAGE_TAGS = [
  'CONFIRMED_EVENT_UPDATE',
  'POST_PURCHASE_UPDATE',
  'ACCOUNT_UPDATE',
  'HUMAN_AGENT',
] as const;
export type MessageTag = (typeof MESSAGE_TAGS)[number];

export const SENDER_ACTIONS = ['typing_on', 'typing_off', 'mark_seen'] as const;
export type SenderAction = (typeof SENDER_ACTIONS)[number];

export const SEND_LIMITS = {
  textChars: 2000,
  buttonTemplateTextChars: 640,
  elements: 10,
  elementTitleChars: 80,
  elementSubtitleChars: 80,
  buttons: 3,
  buttonTitleChars: 20,
  payloadChars: 1000,
  quickReplies: 13,
  quickReplyTitleChars: 20,
  metadataChars: 1000,
} as const;

export interface SendRequest {
  recipientId: string;
  /** Sender actions without a `messaging_type` count as RESPONSE (they need the standard window too). */
  messagingType: MessagingType;
  tag?: MessageTag;
  senderAction?: SenderAction;
  /** The body as received (JSON-string fields of form posts decoded), without `access_token`. */
  body: Record<string, unknown>;
}

export type ParsedSend = { ok: true; request: SendRequest } | { ok: false; error: GraphError };

type Json = Record<string, unknown>;
type Problem = string | undefined;

const NOTIFICATION_TYPES = ['REGULAR', 'SILENT_PUSH', 'NO_PUSH'];
const MESSAGE_KEYS = new Set(['text', 'attachment', 'quick_replies', 'metadata']);
/** Form posts carry these as JSON strings. */
const JSON_FIELDS = new Set(['recipient', 'message']);

export function parseSendRequest(raw: unknown): ParsedSend {
  if (!isObject(raw)) return fail('The parameter recipient is required');

  const body: Json = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'access_token') continue;
    if (JSON_FIELDS.has(key) && typeof value === 'string') {
      const decoded = decodeJson(value);
      if (decoded === undefined) return fail(`param ${key} must be a JSON object`);
      body[key] = decoded;
    } else {
      body[key] = value;
    }
  }

  const recipient = body.recipient;
  if (recipient === undefined) return fail('The parameter recipient is required');
  if (!isObject(recipient)) return fail('param recipient must be a JSON object');
  const rawId = recipient.id;
  if (rawId === undefined)
    return fail('The simulator supports recipient[id] only (no user_ref, post_id or comment_id)');
  const recipientId = typeof rawId === 'number' ? String(rawId) : rawId;
  if (typeof recipientId !== 'string' || recipientId.trim() === '')
    return fail('param recipient[id] must be non-empty.');

  const hasMessage = body.message !== undefined;
  const senderAction = body.sender_action;
  if (hasMessage && senderAction !== undefined)
    return fail('param sender_action cannot be sent together with param message');
  if (!hasMessage && senderAction === undefined)
    return fail('Must send either message or sender action');

  const messagingType = body.messaging_type;
  if (messagingType === undefined && hasMessage)
    return fail('The parameter messaging_type is required');
  if (messagingType !== undefined && !includes(MESSAGING_TYPES, messagingType)) {
    return fail(`param messaging_type must be one of {${MESSAGING_TYPES.join(', ')}}`);
  }
  let tag: MessageTag | undefined;
  if (messagingType === 'MESSAGE_TAG') {
    if (body.tag === undefined)
      return fail('The parameter tag is required when messaging_type is MESSAGE_TAG');
    if (!includes(MESSAGE_TAGS, body.tag))
      return fail(`param tag must be one of {${MESSAGE_TAGS.join(', ')}}`);
    tag = body.tag;
  }
  if (
    body.notification_type !== undefined &&
    !NOTIFICATION_TYPES.includes(body.notification_type as string)
  ) {
    return fail(`param notification_type must be one of {${NOTIFICATION_TYPES.join(', ')}}`);
  }

  if (senderAction !== undefined) {
    if (!includes(SENDER_ACTIONS, senderAction))
      return fail(`param sender_action must be one of {${SENDER_ACTIONS.join(', ')}}`);
    return ok({ recipientId, messagingType: messagingType ?? 'RESPONSE', senderAction, body });
  }

  const problem = messageProblem(body.message);
  if (problem) return fail(problem);
  return ok({ recipientId, messagingType: messagingType as MessagingType, tag, body });
}

export function messageProblem(message: unknown): Problem {
  const p = 'message';
  if (!isObject(message)) return `param ${p} must be a JSON object`;
  const unexpected = Object.keys(message).find((k) => !MESSAGE_KEYS.has(k));
  if (unexpected) return `param ${p} has an unexpected key "${unexpected}"`;
  const hasText = message.text !== undefined;
  const hasAttachment = message.attachment !== undefined;
  if (hasText && hasAttachment) return `Only one of ${p}[text] and ${p}[attachment] may be set`;
  if (!hasText && !hasAttachment)
    return 'Message cannot be empty, must provide valid attachment or text';
  return (
    (hasText
      ? stringProblem(message.text, `${p}[text]`, SEND_LIMITS.textChars)
      : attachmentProblem(message.attachment)) ??
    quickRepliesProblem(message.quick_replies) ??
    optionalStringProblem(message.metadata, `${p}[metadata]`, SEND_LIMITS.metadataChars)
  );
}

function attachmentProblem(attachment: unknown): Problem {
  const p = 'message[attachment]';
  if (!isObject(attachment)) return `param ${p} must be a JSON object`;
  switch (attachment.type) {
    case 'template':
      return templateProblem(attachment.payload, `${p}[payload]`);
    case 'image':
    case 'video':
    case 'audio':
    case 'file':
      return mediaProblem(attachment.payload, `${p}[payload]`);
    default:
      return `param ${p}[type] must be one of {image, video, audio, file, template}`;
  }
}

function mediaProblem(payload: unknown, p: string): Problem {
  if (!isObject(payload)) return `param ${p} must be a JSON object`;
  if (payload.attachment_id !== undefined)
    return stringProblem(payload.attachment_id, `${p}[attachment_id]`);
  if (!isUrl(payload.url, false))
    return `param ${p}[url] must be a valid URL (or give ${p}[attachment_id])`;
  if (payload.is_reusable !== undefined && typeof payload.is_reusable !== 'boolean')
    return `param ${p}[is_reusable] must be a boolean`;
  return undefined;
}

function templateProblem(payload: unknown, p: string): Problem {
  if (!isObject(payload)) return `param ${p} must be a JSON object`;
  switch (payload.template_type) {
    case 'generic':
      return genericProblem(payload, p);
    case 'button':
      return (
        stringProblem(payload.text, `${p}[text]`, SEND_LIMITS.buttonTemplateTextChars) ??
        buttonsProblem(payload.buttons, `${p}[buttons]`, 1)
      );
    default:
      return `param ${p}[template_type] must be one of {generic, button} (the template types the simulator checks)`;
  }
}

function genericProblem(payload: Json, p: string): Problem {
  const elements = payload.elements;
  if (!Array.isArray(elements) || elements.length === 0)
    return `param ${p}[elements] must be a non-empty array`;
  if (elements.length > SEND_LIMITS.elements) {
    return `param ${p}[elements] must have at most ${SEND_LIMITS.elements} elements, got ${elements.length}`;
  }
  const ratio = payload.image_aspect_ratio;
  if (ratio !== undefined && ratio !== 'horizontal' && ratio !== 'square') {
    return `param ${p}[image_aspect_ratio] must be one of {horizontal, square}`;
  }
  for (let i = 0; i < elements.length; i++) {
    const problem = elementProblem(elements[i], `${p}[elements][${i}]`);
    if (problem) return problem;
  }
  return undefined;
}

function elementProblem(element: unknown, p: string): Problem {
  if (!isObject(element)) return `param ${p} must be a JSON object`;
  const problem =
    stringProblem(element.title, `${p}[title]`, SEND_LIMITS.elementTitleChars) ??
    optionalStringProblem(element.subtitle, `${p}[subtitle]`, SEND_LIMITS.elementSubtitleChars) ??
    (element.image_url !== undefined && !isUrl(element.image_url, false)
      ? `param ${p}[image_url] must be a valid URL`
      : undefined) ??
    defaultActionProblem(element.default_action, `${p}[default_action]`) ??
    (element.buttons !== undefined
      ? buttonsProblem(element.buttons, `${p}[buttons]`, 0)
      : undefined);
  if (problem) return problem;
  const hasMore =
    nonEmpty(element.subtitle) ||
    nonEmpty(element.image_url) ||
    (Array.isArray(element.buttons) && element.buttons.length > 0);
  if (!hasMore) {
    return 'Incomplete element data: title and at least one other field (image url, subtitle or buttons) is required with non-empty value';
  }
  return undefined;
}

function defaultActionProblem(action: unknown, p: string): Problem {
  if (action === undefined) return undefined;
  if (!isObject(action)) return `param ${p} must be a JSON object`;
  if (action.type !== 'web_url') return `param ${p}[type] must be web_url`;
  if (action.title !== undefined) return `param ${p} must not have a title`;
  if (!isUrl(action.url, true)) return `param ${p}[url] must be a valid https URL`;
  return undefined;
}

function buttonsProblem(buttons: unknown, p: string, min: number): Problem {
  if (!Array.isArray(buttons)) return `param ${p} must be an array`;
  if (buttons.length < min)
    return `param ${p} must have at least ${min} element${min === 1 ? '' : 's'}`;
  if (buttons.length > SEND_LIMITS.buttons) {
    return `param ${p} must have at most ${SEND_LIMITS.buttons} elements, got ${buttons.length}`;
  }
  for (let i = 0; i < buttons.length; i++) {
    const problem = buttonProblem(buttons[i], `${p}[${i}]`);
    if (problem) return problem;
  }
  return undefined;
}

export function buttonProblem(button: unknown, p: string): Problem {
  if (!isObject(button)) return `param ${p} must be a JSON object`;
  let typeProblem: Problem;
  switch (button.type) {
    case 'web_url':
      typeProblem = isUrl(button.url, true)
        ? undefined
        : `param ${p}[url] must be a valid https URL`;
      if (
        !typeProblem &&
        button.webview_height_ratio !== undefined &&
        !['compact', 'tall', 'full'].includes(button.webview_height_ratio as string)
      ) {
        typeProblem = `param ${p}[webview_height_ratio] must be one of {compact, tall, full}`;
      }
      break;
    case 'postback':
      typeProblem = stringProblem(button.payload, `${p}[payload]`, SEND_LIMITS.payloadChars);
      break;
    case 'phone_number':
      typeProblem =
        typeof button.payload === 'string' && /^\+[0-9]{6,15}$/.test(button.payload)
          ? undefined
          : `param ${p}[payload] must be a phone number in the format +<country code><number>`;
      break;
    default:
      return `param ${p}[type] must be one of {web_url, postback, phone_number}`;
  }
  return stringProblem(button.title, `${p}[title]`, SEND_LIMITS.buttonTitleChars) ?? typeProblem;
}

function quickRepliesProblem(replies: unknown): Problem {
  const p = 'message[quick_replies]';
  if (replies === undefined) return undefined;
  if (!Array.isArray(replies) || replies.length === 0)
    return `param ${p} must be a non-empty array`;
  if (replies.length > SEND_LIMITS.quickReplies)
    return `param ${p} must have at most ${SEND_LIMITS.quickReplies} elements`;
  for (let i = 0; i < replies.length; i++) {
    const reply: unknown = replies[i];
    const rp = `${p}[${i}]`;
    if (!isObject(reply)) return `param ${rp} must be a JSON object`;
    switch (reply.content_type) {
      case 'text': {
        const problem =
          stringProblem(reply.title, `${rp}[title]`, SEND_LIMITS.quickReplyTitleChars) ??
          stringProblem(reply.payload, `${rp}[payload]`, SEND_LIMITS.payloadChars) ??
          (reply.image_url !== undefined && !isUrl(reply.image_url, false)
            ? `param ${rp}[image_url] must be a valid URL`
            : undefined);
        if (problem) return problem;
        break;
      }
      case 'user_phone_number':
      case 'user_email':
        break;
      case 'location':
        // Removed by Meta in October 2019 (MESSENGER.md "Location share").
        return 'Location Quick Reply is now deprecated on API 4.0';
      default:
        return `param ${rp}[content_type] must be one of {text, user_phone_number, user_email}`;
    }
  }
  return undefined;
}

function stringProblem(value: unknown, p: string, max?: number): Problem {
  if (typeof value !== 'string' || value.length === 0)
    return `param ${p} must be a non-empty UTF-8 encoded string`;
  if (max !== undefined && value.length > max)
    return `Length of param ${p} must be less than or equal to ${max}`;
  return undefined;
}

function optionalStringProblem(value: unknown, p: string, max: number): Problem {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return `param ${p} must be a UTF-8 encoded string`;
  if (value.length > max) return `Length of param ${p} must be less than or equal to ${max}`;
  return undefined;
}

/**
 * Meta opens only https links from buttons. Departure: the simulator also accepts http links to
 * the loopback interface, so a local stack without TLS (the gateway's location page and click
 * redirect on 127.0.0.1) can be driven end to end.
 */
function isUrl(value: unknown, httpsOnly: boolean): boolean {
  if (typeof value !== 'string' || value.length === 0) return false;
  if (!URL.canParse(value)) return false;
  const { protocol, hostname } = new URL(value);
  const loopback = hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
  return protocol === 'https:' || (protocol === 'http:' && (!httpsOnly || loopback));
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

function includes<T extends string>(list: readonly T[], value: unknown): value is T {
  return (list as readonly unknown[]).includes(value);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeJson(value: string): unknown {
  try {
    const decoded: unknown = JSON.parse(value);
    return isObject(decoded) ? decoded : undefined;
  } catch {
    return undefined;
  }
}

function ok(request: SendRequest): ParsedSend {
  return { ok: true, request };
}

function fail(problem: string): ParsedSend {
  return { ok: false, error: GraphErrors.invalidParameter(problem) };
}
