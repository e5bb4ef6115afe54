import { Inject, Injectable } from '@nestjs/common';
import type { SignatureHeaders } from './meta-signature';

export const WEBHOOK_TIMEOUT_MS = 'WEBHOOK_TIMEOUT_MS';
export const WEBHOOK_RETRY_DELAYS_MS = 'WEBHOOK_RETRY_DELAYS_MS';

export type WebhookAnswer =
  | { reached: true; status: number; body: string }
  | { reached: false; timedOut: boolean; reason: string };

/** The simulator's only outbound HTTP: Meta's verification GET and signed event POSTs to a Page's webhook. */
@Injectable()
export class WebhookClient {
  constructor(@Inject(WEBHOOK_TIMEOUT_MS) private readonly timeoutMs: number) {}

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

  private async call(url: URL, init: RequestInit): Promise<WebhookAnswer> {
    try {
      const res = await fetch(url, {
        ...init,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      return { reached: true, status: res.status, body: await res.text() };
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
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
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
