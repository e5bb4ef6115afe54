import { Injectable } from '@nestjs/common';

export interface SimPage {
  pageId: string;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  webhookUrl: string;
  registeredAt: number;
  /** Deleted Pages keep their token so the Send API can answer 10 / 1893063 for it. */
  deleted: boolean;
}

export interface SimShopper {
  psid: string;
  /** Last message or postback, epoch ms; opens the 24-hour window. */
  lastInteractionAt?: number;
}

/** A known shopper who never sent a message or postback (only reads, deliveries or a reset). */
const NEVER = -1;

/**
 * The Pages the simulator plays Meta for, and the shoppers each Page has heard from. In memory:
 * the simulator is a single-process test double. Shoppers outlive a Page's re-registration, as
 * PSIDs do at Meta.
 */
@Injectable()
export class PageRegistry {
  private readonly pages = new Map<string, SimPage>();
  private readonly pageByToken = new Map<string, string>();
  /**
   * Per Page, each known shopper's last interaction (epoch ms, or NEVER): a number per shopper
   * rather than an object, since `make bench` introduces 200,000 of them (214 → 118 bytes
   * each, measured with heapUsed; the objects took the simulator's RSS to 200 MB).
   */
  private readonly shoppers = new Map<string, Map<string, number>>();

  save(page: SimPage): void {
    this.remove(page.pageId);
    this.pages.set(page.pageId, page);
    this.pageByToken.set(page.accessToken, page.pageId);
  }

  remove(pageId: string): void {
    const page = this.pages.get(pageId);
    if (!page) return;
    this.pages.delete(pageId);
    if (this.pageByToken.get(page.accessToken) === pageId)
      this.pageByToken.delete(page.accessToken);
  }

  markDeleted(pageId: string): boolean {
    const page = this.pages.get(pageId);
    if (!page) return false;
    page.deleted = true;
    return true;
  }

  /** A registered, not deleted Page. */
  activePage(pageId: string): SimPage | undefined {
    const page = this.pages.get(pageId);
    return page && !page.deleted ? page : undefined;
  }

  byAccessToken(token: string): SimPage | undefined {
    const pageId = this.pageByToken.get(token);
    return pageId === undefined ? undefined : this.pages.get(pageId);
  }

  shopper(pageId: string, psid: string): SimShopper | undefined {
    const at = this.shoppers.get(pageId)?.get(psid);
    return at === undefined ? undefined : shopperOf(psid, at);
  }

  /** Records that the shopper wrote to the Page; a message or postback moves their window forward. */
  recordInteraction(pageId: string, psid: string, atMs: number, opensWindow: boolean): SimShopper {
    const ofPage = this.pageShoppers(pageId);
    let at = ofPage.get(psid) ?? NEVER;
    // Every epoch ms is after NEVER: an earlier message than the last one leaves the window as it is.
    if (opensWindow && atMs > at) at = atMs;
    ofPage.set(psid, at);
    return shopperOf(psid, at);
  }

  /** Test control: sets the shopper's last interaction outright (null: never), e.g. to age a window. */
  setLastInteraction(pageId: string, psid: string, atMs: number | null): SimShopper {
    const at = atMs ?? NEVER;
    this.pageShoppers(pageId).set(psid, at);
    return shopperOf(psid, at);
  }

  shopperCount(pageId: string): number {
    return this.shoppers.get(pageId)?.size ?? 0;
  }

  clear(): void {
    this.pages.clear();
    this.pageByToken.clear();
    this.shoppers.clear();
  }

  private pageShoppers(pageId: string): Map<string, number> {
    let ofPage = this.shoppers.get(pageId);
    if (!ofPage) {
      ofPage = new Map();
      this.shoppers.set(pageId, ofPage);
    }
    return ofPage;
  }
}

function shopperOf(psid: string, at: number): SimShopper {
  return at === NEVER ? { psid } : { psid, lastInteractionAt: at };
}
