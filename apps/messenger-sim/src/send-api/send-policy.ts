import { GraphError, GraphErrors } from './graph-error';
import type { MessageTag, MessagingType } from './send-request';

/**
 * Who may be sent what, and when (MESSENGER.md "Policy"): the token must belong to a live Page
 * (the Page in the path, when one is given), the recipient must have talked to that Page, and a
 * RESPONSE or UPDATE only goes out within 24 hours of the shopper's last message or postback.
 * Pure; the clock is passed in.
 */
export const STANDARD_WINDOW_MS = 24 * 60 * 60 * 1000;
/** HUMAN_AGENT may answer for 7 days; the other tags are not bound to a window. */
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export interface TokenOwner {
  pageId: string;
  deleted: boolean;
}

export interface AccessInput {
  /** `me` or the Page id of `/{pageId}/messages`. */
  pathPage: string;
  token: string | undefined;
  /** The Page the token belongs to; undefined when no registered Page has it. */
  owner: TokenOwner | undefined;
  /** The owner Page is in the fault list of restricted Pages. */
  restricted: boolean;
}

export function checkAccess(input: AccessInput): GraphError | undefined {
  if (!input.token)
    return GraphErrors.invalidToken('An access token is required to request this resource.');
  if (!input.owner) return GraphErrors.invalidToken();
  if (input.pathPage !== 'me' && input.pathPage !== input.owner.pageId) {
    return GraphErrors.invalidToken(
      `Invalid OAuth access token - the token does not belong to Page ${input.pathPage}`,
    );
  }
  if (input.owner.deleted || input.restricted) return GraphErrors.pageRestricted();
  return undefined;
}

export interface RecipientState {
  /** Last message or postback from the shopper to the Page, epoch ms; undefined if none yet. */
  lastInteractionAt?: number;
}

/** How long after the shopper's last interaction this kind of send is allowed; undefined: always. */
export function allowedWindowMs(
  messagingType: MessagingType,
  tag?: MessageTag,
): number | undefined {
  if (messagingType !== 'MESSAGE_TAG') return STANDARD_WINDOW_MS;
  return tag === 'HUMAN_AGENT' ? HUMAN_AGENT_WINDOW_MS : undefined;
}

export function checkRecipient(
  send: { messagingType: MessagingType; tag?: MessageTag },
  recipient: RecipientState | undefined,
  nowMs: number,
): GraphError | undefined {
  if (!recipient) return GraphErrors.noMatchingUser();
  const windowMs = allowedWindowMs(send.messagingType, send.tag);
  if (windowMs === undefined) return undefined;
  const last = recipient.lastInteractionAt;
  if (last === undefined || nowMs - last >= windowMs) return GraphErrors.outsideWindow();
  return undefined;
}
