/**
 * The time a registry stamped on an event, as `{ occurredAt }` in ISO 8601, or nothing when it is
 * absent or unreadable: Distribution sends RFC 3339 with nanoseconds, Harbor Unix seconds
 * (`occur_at`) or a CloudEvents `time`. A bad time never refuses the event.
 */
export function eventTime(value: string | number | undefined): { occurredAt?: string } {
  if (value === undefined) return {};
  const ms = typeof value === 'number' ? value * 1000 : Date.parse(value);
  if (!Number.isFinite(ms)) return {};
  return { occurredAt: new Date(ms).toISOString() };
}
