/**
 * A shopper is identified by `<pageId>:<psid>`: Messenger's page-scoped ids mean nothing without
 * the Page, and a Page belongs to exactly one brand.
 */
export const SHOPPER_ID_PATTERN = /^[0-9A-Za-z_-]{1,64}:[0-9A-Za-z_-]{1,128}$/;

export function toShopperId(pageId: string, psid: string): string {
  return `${pageId}:${psid}`;
}

export function parseShopperId(shopperId: string): { pageId: string; psid: string } {
  if (!SHOPPER_ID_PATTERN.test(shopperId)) {
    throw new Error(`not a shopper id: expected <pageId>:<psid>`);
  }
  const at = shopperId.indexOf(':');
  return { pageId: shopperId.slice(0, at), psid: shopperId.slice(at + 1) };
}
