/** A number field as a body says it: absent when empty, so the API's default applies; not a number is the API's to refuse. */
export const numberOrAbsent = (text: string) => (text === '' ? undefined : Number(text));

/** A stored number as its field shows it: empty when unset. */
export const numberText = (value: number | null | undefined) => (value == null ? '' : String(value));
