import { DomainError } from '@app/http';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { bearerToken, safeEqual } from './api-keys';

export const ADMIN_TOKEN = Symbol('ADMIN_TOKEN');

/** Operator endpoints: `Authorization: Bearer <ADMIN_TOKEN>`. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(ADMIN_TOKEN) private readonly adminToken: string) {}

  canActivate(context: ExecutionContext): boolean {
    const token = bearerToken(context.switchToHttp().getRequest<FastifyRequest>().headers.authorization);
    if (!token || !safeEqual(token, this.adminToken)) {
      throw new DomainError('UNAUTHENTICATED', 'operator token required');
    }
    return true;
  }
}
