import { EventValidationError } from '@app/contracts';

/**
 * The one Kafka error policy (STYLE.md §6): what a consumer does when handling an event fails.
 * - invalid:     the event breaks its contract; retrying cannot help → dead letter at once.
 * - permanent:   a domain error that will fail the same way every time → dead letter at once.
 * - transient:   infrastructure is away (Redis, Kafka, Postgres, the network) → retry, keep the
 *                partition waiting; nothing may be skipped while a dependency is down.
 * - unexpected:  anything else (a bug) → retry a few times, then dead letter, so one poison
 *                message never blocks its partition for ever.
 */
export type FailureKind = 'invalid' | 'permanent' | 'transient' | 'unexpected';

/** Throw from a use case when the event can never be processed; it goes to the `.dlq`. */
export class PermanentEventError extends Error {
  readonly permanent = true;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentEventError';
  }
}

/** Throw when a dependency is away and the event must be retried later. */
export class TransientError extends Error {
  readonly transient = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

const TRANSIENT_NAMES = new Set([
  'TransientError',
  'MaxRetriesPerRequestError',
  'KafkaJSConnectionError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSNonRetriableError',
  'KafkaJSProtocolError',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
  'AbortError',
  'TimeoutError',
]);

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  '57P01', // postgres admin_shutdown
  '57P03', // postgres cannot_connect_now
]);

const TRANSIENT_MESSAGES = [
  /connection is closed/i,
  /stream isn't writeable/i,
  /LOADING/,
  /READONLY/,
  /Connection terminated/i,
  /fetch failed/i,
];

export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof EventValidationError) return 'invalid';
  if (typeof error !== 'object' || error === null) return 'unexpected';
  const e = error as { name?: string; code?: unknown; message?: string; permanent?: boolean; transient?: boolean; cause?: unknown };
  if (e.permanent === true) return 'permanent';
  if (e.transient === true) return 'transient';
  // A Postgres data exception (SQLSTATE class 22: a value its column cannot hold, such as a
  // brandId that is not a UUID) fails the same way on every attempt.
  if (typeof e.code === 'string' && /^22[0-9A-Z]{3}$/.test(e.code)) return 'permanent';
  if (e.name && TRANSIENT_NAMES.has(e.name)) return 'transient';
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return 'transient';
  if (e.message && TRANSIENT_MESSAGES.some((re) => re.test(e.message as string))) return 'transient';
  if (e.cause) return classifyFailure(e.cause) === 'transient' ? 'transient' : 'unexpected';
  return 'unexpected';
}
