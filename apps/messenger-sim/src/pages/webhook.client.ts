import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Agent, errors, request } from 'undici';
import type { SignatureHeaders } from './meta-signature';

export const WEBHOOK_TIMEOUT_MS = 'WEBHOOK_TIMEOUT_MS';
export const WEBHOOK_RETRY_DELAYS_MS = 'WEBHOOK_RETRY_DELAYS_MS';

export type WebhookAnswer =
  | { reached: true; status: number; body: string }
  | { reached: false; timedOut: boolean; reason: string };

/**
 * The simulator's only outbound HTTP: Meta's verification GET and signed event POSTs to a Page's
 * webhook, over undici's keep-alive pool (a global fetch cost about 13 times the CPU here). No
 * redirect is followed, as Meta does not follow them. The timeout bounds the wait for the answer's
 * headers and then for each chunk of its body.
 */
@Injectable()
export class WebhookClient implements OnApplicationShutdown {
  private readonly dispatcher: Agent;

  constructor(@Inject(WEBHOOK_TIMEOUT_MS) private readonly timeoutMs: number) {
    this.dispatcher = new Agent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: timeoutMs, keepAliveTimeout: 30_000 });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.close();
  }

  verify(webhookUrl: string, verifyToken: string, challenge: string): Promise<WebhookAnswer> {
    const url = new URL(webhookUrl);
    url.searchParams.set('hub.mode', 'subscribe');
    url.searchParams.set('hub.verify_token', verifyToken);
    url.searchParams.set('hub.challenge', challenge);
    return this.call(url, { method: 'GET' });
  }

  post(webhookUrl: string, body: Buffer, signature: SignatureHeaders): Promise<WebhookAnswer> {
    return this.call(new URL(webhookUrl), {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'facebookexternalua',
        ...signature,
      },
    });
  }

  private async call(url: URL, init: { method: 'GET' | 'POST'; body?: Buffer; headers?: Record<string, string> }): Promise<WebhookAnswer> {
    try {
      const res = await request(url, { ...init, dispatcher: this.dispatcher });
      return { reached: true, status: res.statusCode, body: await res.body.text() };
    } catch (error) {
      const timedOut =
        error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError || error instanceof errors.ConnectTimeoutError;
      const where = `${url.origin}${url.pathname}`;
      return {
        reached: false,
        timedOut,
        reason: timedOut
          ? `${where} did not answer within ${this.timeoutMs} ms`
          : `${where} could not be reached (${causeOf(error)})`,
      };
    }
  }
}

function causeOf(error: unknown): string {
  // undici's request fails with the socket's error itself (ECONNREFUSED…); fetch wrapped it in cause.
  const { code, cause } = (error as { code?: string; cause?: { code?: string; message?: string } } | null) ?? {};
  return (code && !code.startsWith('UND_ERR') ? code : undefined) ?? cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
