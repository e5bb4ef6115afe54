/**
 * Drives a running stack through its public contract (ARCHITECTURE.md §4): the brand API and the
 * Messenger simulator. Used by the demo (`make up`) and the end-to-end tests.
 */
export interface StackUrls {
  brandApi: string;
  gateway: string;
  sim: string;
}

export function stackUrls(portBase = 3000): StackUrls {
  return {
    brandApi: `http://127.0.0.1:${portBase}`,
    gateway: `http://127.0.0.1:${portBase + 1}`,
    sim: `http://127.0.0.1:${portBase + 900}`,
  };
}

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
}

export async function http<T = unknown>(method: string, url: string, body?: unknown, token?: string): Promise<HttpResult<T>> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // plain text answer
  }
  return { status: response.status, body: parsed as T };
}

export async function expectStatus<T>(result: Promise<HttpResult<T>>, status: number, what: string): Promise<T> {
  const r = await result;
  if (r.status !== status) throw new Error(`${what}: expected HTTP ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/**
 * `promise`, or a rejection naming `what` after `timeoutMs`. The timer is cleared either way: a
 * bare Promise.race with a setTimeout left it pending, and jest's process waited for it (up to
 * 240 s) after the last test before it could exit.
 */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms`)), timeoutMs)))]);
  } finally {
    clearTimeout(timer);
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface InboxMessage {
  messageId: string;
  receivedAt: string;
  /** The W3C `traceparent` the Send API call carried (simulator only records it when present). */
  traceparent?: string;
  body: { recipient: { id: string }; message?: { attachment?: { payload?: { elements?: { title: string; subtitle?: string }[] } }; text?: string } };
}

export class StackClient {
  constructor(
    readonly urls: StackUrls,
    private readonly adminToken: string,
  ) {}

  createBrand(name: string): Promise<{ id: string; apiKey: string }> {
    return expectStatus(http('POST', `${this.urls.brandApi}/v1/brands`, { name }, this.adminToken), 201, 'create brand');
  }

  /** Registers the Page on the simulator (which runs Meta's handshake against the gateway) and connects it to the brand. */
  async connectPage(apiKey: string, page: { pageId: string; accessToken: string; appSecret: string; verifyToken: string }): Promise<void> {
    await expectStatus(
      http('PUT', `${this.urls.brandApi}/v1/channels/messenger`, {
        pageId: page.pageId,
        pageAccessToken: page.accessToken,
        appSecret: page.appSecret,
        verifyToken: page.verifyToken,
      }, apiKey),
      200,
      'connect channel',
    );
    // The gateway learns the Page from catalog.channel.v1; the handshake succeeds once it has.
    await waitFor('the gateway to know the Page', async () => {
      const r = await http('POST', `${this.urls.sim}/__sim/pages`, { ...page, webhookUrl: `${this.urls.gateway}/webhooks/messenger` });
      return r.status === 201;
    });
  }

  createStore(apiKey: string, store: Record<string, unknown>): Promise<{ id: string; name: string }> {
    return expectStatus(http('POST', `${this.urls.brandApi}/v1/stores`, store, apiKey), 201, 'create store');
  }

  createOffer(apiKey: string, offer: Record<string, unknown>): Promise<{ id: string }> {
    return expectStatus(http('POST', `${this.urls.brandApi}/v1/offers`, offer, apiKey), 201, 'create offer');
  }

  /** Shares a pinned location in the chat; `atMs` sets Meta's event timestamp (default now). */
  async shareLocation(pageId: string, psid: string, lat: number, lng: number, atMs = Date.now()): Promise<number> {
    const message = { attachments: [{ type: 'location', title: 'Pinned location', payload: { coordinates: { lat, long: lng } } }] };
    return (await http('POST', `${this.urls.sim}/__sim/pages/${pageId}/shoppers/${psid}/messages`, { message, timestamp: atMs })).status;
  }

  /** The shopper writes to the Page; resolves with the gateway's HTTP status as seen by the simulator. */
  async say(pageId: string, psid: string, text: string, atMs = Date.now()): Promise<number> {
    return (await http('POST', `${this.urls.sim}/__sim/pages/${pageId}/shoppers/${psid}/messages`, { message: { text }, timestamp: atMs })).status;
  }

  /** brand-api's GET /v1/decisions for one of the brand's shoppers: the engine's log, newest first. */
  async decisions<T = unknown>(apiKey: string, shopperId: string): Promise<T[]> {
    const view = await expectStatus(http<{ decisions: T[] }>('GET', `${this.urls.brandApi}/v1/decisions?shopperId=${encodeURIComponent(shopperId)}`, undefined, apiKey), 200, 'decisions');
    return view.decisions;
  }

  async inbox(pageId: string, psid: string): Promise<InboxMessage[]> {
    const r = await http<{ messages: InboxMessage[] }>('GET', `${this.urls.sim}/__sim/pages/${pageId}/shoppers/${psid}/inbox`);
    return r.body?.messages ?? [];
  }
}

/** A point `metres` north of (lat, lng). */
export function northOf(lat: number, lng: number, metres: number): { lat: number; lng: number } {
  return { lat: lat + metres / 111_320, lng };
}

/**
 * Waits until the geofence and the engine have projected the given stores and offers from Kafka
 * (their Redis projections), so a walk that follows is judged against the whole catalog.
 */
export async function waitForProjections(redisUrl: string, storeIds: string[], offerIds: string[], timeoutMs = 20_000): Promise<void> {
  const { default: Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 });
  try {
    const keys = [
      ...storeIds.flatMap((id) => [`store:{s:${id}}`, `pe:store:{s:${id}}`]),
      // The engine's offer, and the geofence's record of it (dwell thresholds).
      ...offerIds.flatMap((id) => [`pe:offer:{o:${id}}`, `dwell:offer:{o:${id}}`]),
    ];
    await waitFor('the catalog projections', async () => (await redis.exists(...keys)) === keys.length, timeoutMs, 100);
  } finally {
    redis.disconnect();
  }
}

/** Waits until the promotion engine's projection of the brand's settings reached `version`. */
export async function waitForBrandSettings(redisUrl: string, brandId: string, version: number, timeoutMs = 20_000): Promise<void> {
  const { default: Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 });
  try {
    await waitFor('the brand settings in the engine', async () => {
      const raw = await redis.hget(`pe:brand:{b:${brandId}}`, 'snapshot');
      return raw !== null && (JSON.parse(raw) as { version: number }).version >= version;
    }, timeoutMs, 100);
  } finally {
    redis.disconnect();
  }
}
