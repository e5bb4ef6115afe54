import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { BODY_TOO_LARGE, tooLargeMessage } from './body-limits';
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
    const http = host.switchToHttp();
    const body = this.toBody(exception, http.getRequest<FastifyRequest>());
    if (body.statusCode >= 500 && !(exception instanceof CapacityError)) {
      this.logger.error(
        exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception),
        exception instanceof Error ? exception.stack : undefined,
      );
    }
    send(http.getResponse<FastifyReply | ServerResponse>(), body);
  }

  private toBody(exception: unknown, request: FastifyRequest | undefined): ErrorBody {
    if (exception instanceof DomainError) {
      return { statusCode: exception.status, error: exception.code, message: exception.message, details: exception.details };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        status === HttpStatus.PAYLOAD_TOO_LARGE && request?.headers && exception.message === BODY_TOO_LARGE
          ? // Fastify's own words do not say what the limit is.
            tooLargeMessage(request)
          : typeof response === 'string'
            ? response
            : Array.isArray((response as { message?: unknown }).message)
              ? ((response as { message: string[] }).message).join('; ')
              : String((response as { message?: unknown }).message ?? exception.message);
      return { statusCode: status, error: codeOf(status), message };
    }
    const status = isUnavailable(exception) ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.INTERNAL_SERVER_ERROR;
    return {
      statusCode: status,
      error: codeOf(status),
      message: status === 503 ? 'a dependency is unavailable, retry later' : 'internal error',
    };
  }
}

/**
 * Fastify's `frameworkErrors`: what its router refuses before Nest sees the request (a URL that
 * does not decode, a path parameter over `maxParamLength`), answered in the same contract.
 */
export function answerFrameworkError(error: Error & { statusCode?: number }, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : HttpStatus.BAD_REQUEST;
  // Fastify's own words for a long parameter repeat the path; a path can carry ids worth not echoing.
  const message = status === HttpStatus.URI_TOO_LONG ? 'a path parameter is too long' : error.message;
  send(reply, { statusCode: status, error: codeOf(status), message });
}

/** Answers on Fastify's reply, or on the raw response when a middleware failed before Fastify's. */
function send(res: FastifyReply | ServerResponse, body: ErrorBody): void {
  if ('raw' in res) {
    if (!res.sent) void res.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
    return;
  }
  if (res.headersSent) return;
  res.writeHead(body.statusCode, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
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
