import { DomainError } from '@app/http';
import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { ThrottlerLimitDetail } from '@nestjs/throttler/dist/throttler.guard.interface';
import type { FastifyRequest } from 'fastify';
import { bearerToken, sha256Hex } from '../auth/api-keys';

const UNLIMITED = /^\/(health|metrics|docs)(\/|$|\?)/;

/**
 * One request budget per API key across every endpoint and every replica (the storage is Redis).
 * The key is tracked by its hash, never in the clear; requests without a key by client address.
 * Over the limit: 429 with Retry-After (seconds), set by ThrottlerGuard.
 */
@Injectable()
export class ApiKeyThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    return UNLIMITED.test(context.switchToHttp().getRequest<FastifyRequest>().url);
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as FastifyRequest;
    const token = bearerToken(request.headers.authorization);
    return token ? `key:${sha256Hex(token)}` : `ip:${request.ip ?? 'unknown'}`;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new DomainError('RATE_LIMITED', `rate limit reached, retry after ${detail.timeToBlockExpire} s`);
  }
}
