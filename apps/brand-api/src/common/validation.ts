import { DomainError, fieldProblems } from '@app/http';
import type { z } from 'zod';

/** A 400 naming every wrong field, worded like ZodPipe's, for checks made inside a use case. */
export function validationFailed(what: string, error: z.ZodError): DomainError {
  const details = fieldProblems(error);
  return new DomainError('VALIDATION_FAILED', `invalid ${what}: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
}
