import { HttpStatus } from '@nestjs/common';

/** Every domain error code the HTTP edge can answer with, mapped to a status in one place. */
export const ErrorCodes = {
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  UNAUTHENTICATED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  CONFLICT: HttpStatus.CONFLICT,
  PAYLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  UNPROCESSABLE: HttpStatus.UNPROCESSABLE_ENTITY,
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface FieldProblem {
  field: string;
  message: string;
}

/** An error a use case raises on purpose; the HTTP filter turns it into `{statusCode, error, message, details?}`. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: FieldProblem[] | Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ErrorCodes[this.code];
  }
}

/**
 * A refusal for capacity that the caller is expected to retry (load shedding): 503 like any
 * UNAVAILABLE, but not logged per request by the HTTP filter, since under overload that would be
 * thousands of error lines a second. Whoever throws it counts it (and may summarise it in the log).
 */
export class CapacityError extends DomainError {
  constructor(message: string) {
    super('UNAVAILABLE', message);
    this.name = 'CapacityError';
  }
}

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);
