import { createHash } from 'node:crypto';
import { request } from 'undici';
import type { RegistryServer } from './registry-server.js';

/**
 * Just enough of the Distribution API over raw HTTP for the test bed to seed and read back
 * registries, independent of the code under test in registry/.
 */
export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export interface RawAccess {
  /** A test-bed registry, or any registry reached at `url` (a benchmark's HQ). */
  registry: Pick<RegistryServer, 'url' | 'credentials'> & Partial<Pick<RegistryServer, 'dispatcher'>>;
  /** Credentials to send; defaults to the registry's own, `null` sends none. */
  credentials?: { username: string; password: string } | null;
}

function headers(access: RawAccess, extra: Record<string, string> = {}): Record<string, string> {
  const credentials = access.credentials === undefined ? access.registry.credentials : access.credentials;
  if (!credentials) return extra;
  const basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  return { ...extra, authorization: `Basic ${basic}` };
}

async function expectStatus(
  response: Awaited<ReturnType<typeof request>>,
  expected: number[],
  what: string,
): Promise<void> {
  if (!expected.includes(response.statusCode)) {
    const body = await response.body.text();
    throw new Error(`${what}: HTTP ${response.statusCode} ${body.slice(0, 300)}`);
  }
}

export async function rawPushBlob(access: RawAccess, repository: string, bytes: Uint8Array): Promise<string> {
  const digest = sha256(bytes);
  const base = access.registry.url;
  const start = await request(`${base}/v2/${repository}/blobs/uploads/`, {
    method: 'POST',
    headers: headers(access),
    dispatcher: access.registry.dispatcher,
  });
  await expectStatus(start, [202], `start upload to ${repository}`);
  await start.body.dump();
  const location = new URL(String(start.headers.location), base);
  location.searchParams.set('digest', digest);
  const put = await request(location, {
    method: 'PUT',
    headers: headers(access, {
      'content-type': 'application/octet-stream',
      'content-length': String(bytes.length),
    }),
    body: bytes,
    dispatcher: access.registry.dispatcher,
  });
  await expectStatus(put, [201], `upload ${digest} to ${repository}`);
  await put.body.dump();
  return digest;
}

export async function rawPushManifest(
  access: RawAccess,
  repository: string,
  reference: string,
  mediaType: string,
  bytes: Uint8Array,
): Promise<string> {
  const response = await request(`${access.registry.url}/v2/${repository}/manifests/${reference}`, {
    method: 'PUT',
    headers: headers(access, { 'content-type': mediaType }),
    body: bytes,
    dispatcher: access.registry.dispatcher,
  });
  await expectStatus(response, [201], `put manifest ${repository}:${reference}`);
  await response.body.dump();
  return sha256(bytes);
}

export interface RawResponse {
  status: number;
  bytes: Buffer;
  contentType: string | undefined;
  digest: string | undefined;
}

async function rawGet(access: RawAccess, path: string, accept?: string): Promise<RawResponse> {
  const response = await request(`${access.registry.url}${path}`, {
    headers: headers(access, accept ? { accept } : {}),
    dispatcher: access.registry.dispatcher,
  });
  const bytes = Buffer.from(await response.body.arrayBuffer());
  const header = (name: string) => {
    const value = response.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return {
    status: response.statusCode,
    bytes,
    contentType: header('content-type'),
    digest: header('docker-content-digest'),
  };
}

export const manifestMediaTypes = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

export function rawGetManifest(
  access: RawAccess,
  repository: string,
  reference: string,
): Promise<RawResponse> {
  return rawGet(access, `/v2/${repository}/manifests/${reference}`, manifestMediaTypes);
}

export function rawGetBlob(access: RawAccess, repository: string, digest: string): Promise<RawResponse> {
  return rawGet(access, `/v2/${repository}/blobs/${digest}`);
}

export async function rawListTags(access: RawAccess, repository: string): Promise<string[]> {
  const response = await rawGet(access, `/v2/${repository}/tags/list?n=1000`);
  if (response.status === 404) return [];
  if (response.status !== 200) throw new Error(`tags of ${repository}: HTTP ${response.status}`);
  return (JSON.parse(response.bytes.toString()) as { tags: string[] | null }).tags ?? [];
}

/** Deletes a manifest (and so every tag pointing to it), as a registry's own user would. */
export async function rawDeleteManifest(
  access: RawAccess,
  repository: string,
  digest: string,
): Promise<void> {
  const response = await request(`${access.registry.url}/v2/${repository}/manifests/${digest}`, {
    method: 'DELETE',
    headers: headers(access),
    dispatcher: access.registry.dispatcher,
  });
  await expectStatus(response, [202], `delete manifest ${repository}@${digest}`);
  await response.body.dump();
}
