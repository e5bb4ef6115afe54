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
  firstSeenAt: number;
  /** Last message or postback, epoch ms; opens the 24-hour window. */
  lastInteractionAt?: number;
}

/**
 * The Pages the simulator plays Meta for, and the shoppers each Page has heard from. In memory:
 * the simulator is a single-process test double. Shoppers outlive a Page's re-registration, as
 * PSIDs do at Meta.
 */
@Injectable()
export class PageRegistry {
  private readonly pages = new Map<string, SimPage>();
  private readonly pageByToken = new Map<string, string>();
  private readonly shoppers = new Map<string, Map<string, SimShopper>>();

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
    return this.shoppers.get(pageId)?.get(psid);
  }

  /** Records that the shopper wrote to the Page; a message or postback moves their window forward. */
  recordInteraction(pageId: string, psid: string, atMs: number, opensWindow: boolean): SimShopper {
    const shopper = this.knownShopper(pageId, psid, atMs);
    if (
      opensWindow &&
      (shopper.lastInteractionAt === undefined || atMs > shopper.lastInteractionAt)
    ) {
      shopper.lastInteractionAt = atMs;
    }
    return shopper;
  }

  /** Test control: sets the shopper's last interaction outright (null: never), e.g. to age a window. */
  setLastInteraction(pageId: string, psid: string, atMs: number | null, nowMs: number): SimShopper {
    const shopper = this.knownShopper(pageId, psid, nowMs);
    shopper.lastInteractionAt = atMs ?? undefined;
    return shopper;
  }

  shopperCount(pageId: string): number {
    return this.shoppers.get(pageId)?.size ?? 0;
  }

  clear(): void {
    this.pages.clear();
    this.pageByToken.clear();
    this.shoppers.clear();
  }

  private knownShopper(pageId: string, psid: string, nowMs: number): SimShopper {
    let ofPage = this.shoppers.get(pageId);
    if (!ofPage) {
      ofPage = new Map();
      this.shoppers.set(pageId, ofPage);
    }
    let shopper = ofPage.get(psid);
    if (!shopper) {
      shopper = { psid, firstSeenAt: nowMs };
      ofPage.set(psid, shopper);
    }
    return shopper;
  }
}
