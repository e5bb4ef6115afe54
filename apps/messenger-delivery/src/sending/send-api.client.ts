import { traceHeaders } from '@app/kafka';
import { Inject, Injectable } from '@nestjs/common';
import type { GraphError } from './send-api-errors';

export interface SendApiSettings {
  baseUrl: string;
  version: string;
  timeoutMs: number;
}

export const SEND_API_SETTINGS = Symbol('SEND_API_SETTINGS');

export type SendResult =
  | { ok: true; messageId: string | null; httpStatus: number }
  | { ok: false; httpStatus: number; error: GraphError | null; timedOut: boolean };

/** Meta's Send API over HTTP. The Page token goes in the query, as Meta documents; never logged. */
@Injectable()
export class SendApiClient {
  constructor(@Inject(SEND_API_SETTINGS) private readonly settings: SendApiSettings) {}

  async send(pageId: string, pageAccessToken: string, body: Record<string, unknown>): Promise<SendResult> {
    const url = `${this.settings.baseUrl}/${this.settings.version}/${encodeURIComponent(pageId)}/messages?access_token=${encodeURIComponent(pageAccessToken)}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...traceHeaders() },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch (error) {
      const name = (error as { name?: string } | null)?.name;
      return { ok: false, httpStatus: 0, error: null, timedOut: name === 'TimeoutError' || name === 'AbortError' };
    }
    const json = (await response.json().catch(() => null)) as
      | { message_id?: string; recipient_id?: string; error?: { code?: number; error_subcode?: number; message?: string } }
      | null;
    if (response.ok && json && (json.message_id || json.recipient_id)) {
      return { ok: true, messageId: json.message_id ?? null, httpStatus: response.status };
    }
    const e = json?.error;
    return {
      ok: false,
      httpStatus: response.status,
      error: e && typeof e.code === 'number' ? { code: e.code, subcode: e.error_subcode ?? null, message: String(e.message ?? '') } : null,
      timedOut: false,
    };
  }
}
