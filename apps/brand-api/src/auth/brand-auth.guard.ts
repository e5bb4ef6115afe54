import { DomainError } from '@app/http';
import { CanActivate, ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiKeyRepository } from './api-key.repository';
import { bearerToken, sha256Hex } from './api-keys';

export interface AuthenticatedBrand {
  brandId: string;
  apiKeyId: string;
}

type BrandRequest = FastifyRequest & { brand?: AuthenticatedBrand };

/** Brand endpoints: a valid, unrevoked API key in `Authorization: Bearer`, else 401. */
@Injectable()
export class BrandAuthGuard implements CanActivate {
  constructor(private readonly keys: ApiKeyRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<BrandRequest>();
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new DomainError('UNAUTHENTICATED', 'missing bearer API key');
    const key = await this.keys.findActiveBySha256(sha256Hex(token));
    if (!key) throw new DomainError('UNAUTHENTICATED', 'invalid or revoked API key');
    req.brand = { brandId: key.brandId, apiKeyId: key.id };
    return true;
  }
}

/** The brand the request's API key belongs to. */
export const CurrentBrand = createParamDecorator((_: unknown, context: ExecutionContext): AuthenticatedBrand => {
  const brand = context.switchToHttp().getRequest<BrandRequest>().brand;
  if (!brand) throw new DomainError('UNAUTHENTICATED', 'missing bearer API key');
  return brand;
});
