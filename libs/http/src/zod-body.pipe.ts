import { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { DomainError, FieldProblem } from './domain-error';

export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || '(body)',
    message: issue.message,
  }));
}

/** Validates a request body (or query) with a zod schema; a 400 names every wrong field. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly what = 'request body',
  ) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    const details = fieldProblems(result.error);
    throw new DomainError(
      'VALIDATION_FAILED',
      `invalid ${this.what}: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`,
      details,
    );
  }
}
