import { z } from 'zod';
import { hostPattern, portPattern, registryUrlProblem } from '../oci/index.js';

const addressShape = 'must be http(s)://host[:port][/path][?query]';
/** A path and query in visible ASCII (others percent-encoded), without a fragment or backslash. */
const tailPattern = '(/[!-"$-\\[\\]-~]*)?';

/**
 * Why `text` is not an address notifications may be posted to, or undefined when it is one: the
 * origin as a registry URL must be (http or https, a real host, no user name or password), then
 * an optional path and query.
 */
export function notificationAddressProblem(text: string): string | undefined {
  const scheme = /^https?:\/\//i.exec(text)?.[0];
  if (!scheme) return addressShape;
  const slash = text.indexOf('/', scheme.length);
  const origin = slash < 0 ? text : text.slice(0, slash);
  const problem = registryUrlProblem(origin);
  if (problem === 'must not hold a user name or password' || problem?.startsWith('must name')) return problem;
  if (problem) return addressShape;
  if (!new RegExp(`^${tailPattern}$`).test(slash < 0 ? '' : text.slice(slash))) return addressShape;
  return undefined;
}

/** Where a notification policy posts: a webhook receiver's URL, or a Slack incoming webhook's. */
export const NotificationAddress = z
  .string()
  .max(2048)
  .superRefine((text, context) => {
    const problem = notificationAddressProblem(text);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  })
  // What the API documents: exactly what the check above accepts.
  .meta({ pattern: `^https?://(${hostPattern})(:${portPattern})?${tailPattern}$` });
