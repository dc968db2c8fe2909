import express from 'express';

/** A form's body as `express.urlencoded` parses it: a field sent twice is an array. */
export type FormBody = Record<string, string | string[] | undefined>;

/** Forms of the console; a registry's CA certificates are the largest field. */
export const parseForm = express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 200 });

export function formBody(body: unknown): FormBody {
  return typeof body === 'object' && body !== null ? (body as FormBody) : {};
}

/** One field's text, trimmed unless `raw` (secrets are taken as typed); `''` when absent. */
export function formText(body: FormBody, name: string, { raw = false } = {}): string {
  const value = body[name];
  const text = Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
  return raw ? text : text.trim();
}

/** Every value of a field sent several times (checkboxes of one name). */
export function formList(body: FormBody, name: string): string[] {
  const value = body[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** A checkbox is sent only when checked. */
export function formChecked(body: FormBody, name: string): boolean {
  return formList(body, name).length > 0;
}
