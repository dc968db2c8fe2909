import type { FieldErrors } from '../views/parts.js';

/** The field an error names (`filters[0].value`, `credential`), if it names one. */
function fieldNamed(error: unknown): string | undefined {
  const field = typeof error === 'object' && error !== null && 'field' in error ? error.field : undefined;
  return typeof field === 'string' ? field : undefined;
}

/**
 * A 4xx error of the service as a form's messages: the API's own message, put next to the form
 * field that the API's field maps to (`formField`), or over the whole form when none does.
 * Anything else (a 5xx) is not the form's to show: undefined.
 */
export function formErrors(
  error: unknown,
  status: number,
  formField: (apiField: string) => string | undefined,
): FieldErrors | undefined {
  if (status < 400 || status >= 500) return undefined;
  const message = error instanceof Error ? error.message : String(error);
  const apiField = fieldNamed(error);
  const field = apiField === undefined ? undefined : formField(apiField);
  return { [field ?? '']: message };
}
