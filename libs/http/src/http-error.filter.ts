import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { CapacityError, DomainError } from './domain-error';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

/**
 * The one place where errors become HTTP answers: `{statusCode, error, message, details?}`.
 * Domain errors keep their status; Nest's HTTP exceptions (404 route, 413 body…) keep theirs;
 * anything else is an infrastructure or programming failure and answers 500 or 503, never 4xx.
 * Every 5xx is logged with its stack, except a CapacityError (load shedding, counted by its thrower).
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const res = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500 && !(exception instanceof CapacityError)) {
      this.logger.error(
        exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception),
        exception instanceof Error ? exception.stack : undefined,
      );
    }
    if (!res.headersSent) res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) {
      return { statusCode: exception.status, error: exception.code, message: exception.message, details: exception.details };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : Array.isArray((response as { message?: unknown }).message)
            ? ((response as { message: string[] }).message).join('; ')
            : String((response as { message?: unknown }).message ?? exception.message);
      return { statusCode: status, error: codeOf(status), message };
    }
    const typed = exception as { type?: string; status?: number; statusCode?: number; limit?: number } | null;
    // body-parser's errors (too large, malformed JSON) carry a status and a type.
    if (typed && typeof typed.status === 'number' && typed.status >= 400 && typed.status < 500) {
      const message =
        typed.type === 'entity.too.large'
          ? // A body without a Content-Length, cut off as it was read at its route's limit.
            `request body is too large: at most ${typeof typed.limit === 'number' ? `${typed.limit} bytes` : 'the route limit'}`
          : typed.type === 'entity.parse.failed'
            ? 'request body is not valid JSON'
            : (exception as Error).message;
      return { statusCode: typed.status, error: codeOf(typed.status), message };
    }
    const status = isUnavailable(exception) ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.INTERNAL_SERVER_ERROR;
    return {
      statusCode: status,
      error: codeOf(status),
      message: status === 503 ? 'a dependency is unavailable, retry later' : 'internal error',
    };
  }
}

function codeOf(status: number): string {
  return (STATUS_CODES[status] ?? 'Error').toUpperCase().replace(/[^A-Z]+/g, '_').replace(/^_|_$/g, '');
}

function isUnavailable(exception: unknown): boolean {
  const e = exception as { name?: string; code?: string; transient?: boolean } | null;
  if (!e) return false;
  return (
    e.transient === true ||
    (e.name?.startsWith('KafkaJS') ?? false) ||
    e.name === 'MaxRetriesPerRequestError' ||
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03'].includes(e.code ?? '')
  );
}
