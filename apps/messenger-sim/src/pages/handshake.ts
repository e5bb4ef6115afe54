import type { WebhookAnswer } from './webhook.client';

/** Meta subscribes a webhook only if it answers the verification GET with 200 and exactly the challenge. */
export function handshakeProblem(answer: WebhookAnswer, challenge: string): string | undefined {
  if (!answer.reached) return answer.reason;
  if (answer.status !== 200)
    return `the webhook answered ${answer.status} to the verification request (expected 200)`;
  if (answer.body !== challenge) {
    return `the webhook answered 200 but its body was not the challenge (expected "${challenge}", got "${truncate(answer.body, 100)}")`;
  }
  return undefined;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
