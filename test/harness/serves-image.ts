import assert from 'node:assert/strict';
import type { PushedImage } from './images.js';
import { rawGetBlob, rawGetManifest, sha256 } from './raw-client.js';
import type { RegistryServer } from './registry-server.js';

/** The registry serves `repository:tag` byte for byte as `image`: its manifests and every blob. */
export async function assertServesImage(
  registry: RegistryServer,
  repository: string,
  tag: string,
  image: PushedImage,
): Promise<void> {
  const manifest = await rawGetManifest({ registry }, repository, tag);
  assert.equal(manifest.status, 200, `${registry.name} ${repository}:${tag}`);
  assert.equal(sha256(manifest.bytes), image.digest, `${registry.name} serves the source digest`);
  for (const child of image.children) {
    const childManifest = await rawGetManifest({ registry }, repository, child.digest);
    assert.equal(sha256(childManifest.bytes), child.digest);
  }
  for (const [digest, bytes] of image.blobs) {
    const blob = await rawGetBlob({ registry }, repository, digest);
    assert.equal(blob.status, 200);
    assert.ok(blob.bytes.equals(bytes), `${registry.name} blob ${digest} is byte-identical`);
  }
}
