import { z } from 'zod';

const hex = '[0-9a-fA-F]{1,4}';
const octet = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
/** An IPv6 address as RFC 4291 writes it, `::` for one run of zero groups (forms with an IPv4 address are refused). */
const ipv6 = [
  `(${hex}:){7}${hex}`,
  `(${hex}:){1,7}:`,
  ...[1, 2, 3, 4, 5, 6].map((tail) => `(${hex}:){1,${7 - tail}}(:${hex}){1,${tail}}`),
  `:((:${hex}){1,7}|:)`,
].join('|');
const end = '(:|/|$)';
/**
 * The hosts the parser below accepts, as a pattern for the API's document: a dotted IPv4 address
 * without leading zeros (not 0.0.0.0), a name whose last label is no number (WHATWG reads those as
 * IPv4) and without IDNA's `xn--`, or an IPv6 literal other than the unspecified address.
 */
export const hostPattern = [
  `(?!0\\.0\\.0\\.0${end})${octet}(\\.${octet}){3}`,
  `(?![^:/]*[xX][nN]--)([A-Za-z0-9-]+\\.)*(?![0-9]+${end})(?!0[xX][0-9A-Fa-f]*${end})[A-Za-z0-9-]+`,
  `\\[(?![0:]*\\])(${ipv6})\\]`,
].join('|');
export const portPattern =
  '(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}|0)';

const urlShape = 'must be http(s)://host[:port]';
const dnsName = /^([a-z0-9-]+\.)*[a-z0-9-]+$/;
const unspecifiedHosts = new Set(['0.0.0.0', '[::]']);

/**
 * Why `text` is not a registry URL, or undefined when it is one: http(s), no user or password,
 * no path, query or fragment, and a real host written as the WHATWG URL parser reads it (so `0`,
 * `0x7f.1` or `1.2.3`, which it reads as other addresses, are refused rather than guessed at).
 */
export function registryUrlProblem(text: string): string | undefined {
  const scheme = /^https?:\/\//i.exec(text)?.[0];
  if (!scheme) return urlShape;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return urlShape;
  }
  if (url.username !== '' || url.password !== '' || text.includes('@'))
    return 'must not hold a user name or password';
  const rest = text.slice(scheme.length);
  const end = rest.search(/[/?#\\]/);
  const tail = end < 0 ? '' : rest.slice(end);
  if (tail !== '' && tail !== '/') return 'must have no path, query or fragment';
  const authority = end < 0 ? rest : rest.slice(0, end);
  if (!/^(\[[^\]]*\]|[^:]*)(:\d{1,5})?$/.test(authority)) return urlShape;
  const written = (/^\[[^\]]*\]/.exec(authority)?.[0] ?? authority.split(':')[0]!).toLowerCase();
  // An IPv6 literal may be written in any of its forms, but not with an IPv4 address inside; a name
  // or an IPv4 address only as the parser reads it.
  const readAsWritten = written.startsWith('[') ? !written.includes('.') : written === url.hostname;
  if (!readAsWritten) return `must name a real host (${written} reads as ${url.hostname})`;
  if (unspecifiedHosts.has(url.hostname) || !(url.hostname.startsWith('[') || dnsName.test(url.hostname)))
    return 'must name a real host';
  return undefined;
}

/** `http(s)://host[:port]`: the origin a registry answers at, nothing more. */
export const RegistryUrl = z
  .string()
  .max(2048)
  .superRefine((text, context) => {
    const problem = registryUrlProblem(text);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  })
  // What the API documents: exactly what the parser above accepts.
  .meta({ pattern: `^https?://(${hostPattern})(:${portPattern})?/?$` });

/** The origin a registry URL names (`https://hq.example:5000`): what a stored secret is bound to. */
export function registryOrigin(url: string): string {
  return new URL(url).origin;
}

/** Harbor's credential; empty key and secret (as Harbor's UI sends) mean anonymous. */
export const BasicCredential = z
  .strictObject({
    type: z.literal('basic'),
    access_key: z.string().max(255),
    access_secret: z.string().max(4096),
  })
  .refine((credential) => credential.access_key !== '' || credential.access_secret === '', {
    path: ['access_key'],
    message: 'is required with a secret',
  })
  .meta({
    anyOf: [
      { properties: { access_key: { minLength: 1 } } },
      { properties: { access_secret: { maxLength: 0 } } },
    ],
  });
export type BasicCredential = z.infer<typeof BasicCredential>;

/** Regatta's addition: read `auths` of a Docker config.json on the worker's host when a run needs them. */
export const DockerConfigCredential = z.strictObject({
  type: z.literal('docker_config'),
  config_path: z
    .string()
    .min(1)
    .max(4096)
    // What REGATTA_DOCKER_CONFIG_DIR's rules admit (registry/registry-access.ts): a path inside the
    // folder, so relative, without a `..` segment, and not the folder itself.
    .meta({ pattern: '^(?![/\\\\])(?!(.*[/\\\\])?\\.\\.([/\\\\]|$))(?![./\\\\]*$)' }),
});
export type DockerConfigCredential = z.infer<typeof DockerConfigCredential>;

export const RegistryCredential = z.discriminatedUnion('type', [BasicCredential, DockerConfigCredential]);
export type RegistryCredential = z.infer<typeof RegistryCredential>;

/** Extra CA certificates (PEM) trusted for one registry; `""` in a body removes them. */
export const CaCertificate = z
  .string()
  .max(65_536)
  .refine((pem) => pem === '' || pem.includes('-----BEGIN CERTIFICATE-----'), 'must be PEM certificates')
  .meta({ anyOf: [{ maxLength: 0 }, { pattern: '-----BEGIN CERTIFICATE-----' }] });

/**
 * How Regatta reaches one registry: where, trusting which certificates (or none: `insecure`),
 * with which credential. Part of every stored registry; what a registry client is built from.
 */
export const RegistryAccess = z.object({
  url: RegistryUrl,
  /** Explicit opt-in to skip TLS verification (https) or to speak plain HTTP. */
  insecure: z.boolean(),
  ca_certificate: CaCertificate.nullable(),
  credential: RegistryCredential.nullable(),
});
export type RegistryAccess = z.infer<typeof RegistryAccess>;
