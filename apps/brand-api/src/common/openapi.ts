import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';

/**
 * OpenAPI from the same zod schemas that validate requests, so /docs never drifts from the code,
 * plus a worked example for every endpoint.
 */
export function jsonSchemaOf(schema: z.ZodType): SchemaObject {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json as SchemaObject;
}

export const ApiJsonBody = (schema: z.ZodType, example: unknown, more: Record<string, unknown> = {}) =>
  ApiBody({
    schema: jsonSchemaOf(schema),
    examples: Object.fromEntries(
      Object.entries({ example, ...more }).map(([name, value]) => [name, { summary: name, value }]),
    ),
  });

export const ApiExample = (status: number, description: string, example?: unknown) =>
  ApiResponse(example === undefined ? { status, description } : { status, description, example });

const ERRORS: Record<number, { description: string; example: unknown }> = {
  400: {
    description: 'Validation failed; `details` names every wrong field',
    example: { statusCode: 400, error: 'VALIDATION_FAILED', message: 'invalid request body: timezone: must be an IANA time zone', details: [{ field: 'timezone', message: 'must be an IANA time zone, e.g. Europe/Paris' }] },
  },
  401: { description: 'Missing, wrong or revoked API key', example: { statusCode: 401, error: 'UNAUTHENTICATED', message: 'invalid or revoked API key' } },
  404: { description: 'No such resource for this brand (another brand’s resource is reported the same way)', example: { statusCode: 404, error: 'NOT_FOUND', message: 'store not found' } },
  409: { description: 'Conflicts with the current state', example: { statusCode: 409, error: 'CONFLICT', message: 'status cannot go from ended to active', details: [{ field: 'status', message: 'ended is final' }] } },
  413: { description: 'Request body too large', example: { statusCode: 413, error: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' } },
  429: { description: 'Rate limit of this API key reached; see the Retry-After header (seconds)', example: { statusCode: 429, error: 'TOO_MANY_REQUESTS', message: 'rate limit reached, retry after 12 s' } },
};

/** Documents the error answers an endpoint can give, each with an example body. */
export const ApiErrors = (...statuses: number[]) =>
  applyDecorators(...[...statuses, 429].map((status) => ApiResponse({ status, ...ERRORS[status] })));

export const ApiQueryParam = (name: string, description: string, example: string, required = false) =>
  ApiQuery({ name, description, example, required, type: String });
