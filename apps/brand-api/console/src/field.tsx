import type { ReactNode } from 'react';
import { errorFor, type FieldErrors } from './offer-form';

/**
 * One labelled input with its help and its error: the error (the form's own check or the API's,
 * keyed like `details[].field`) sits next to the input, linked by aria-describedby, and the input
 * says aria-invalid.
 */
export function Field({ id, label, errors, children, help }: { id: string; label: string; errors: FieldErrors; children: (props: { id: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }) => ReactNode; help?: string }) {
  const error = errorFor(errors, id);
  const describedBy = [help ? `${id}-help` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {help && (
        <small id={`${id}-help`} className="help">
          {help}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} className="error" data-field={id}>
          {error}
        </small>
      )}
    </div>
  );
}

