import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRegistryClient } from '../registry/index.js';
import type { RegistryServer } from '../test/harness/registry-server.js';

export interface SeededImage {
  repository: string;
  manifest: Buffer;
  mediaType: string;
  blobs: Map<string, Buffer>;
}

/**
 * The sites' own ingest bound: the same images pushed from local files to the three sites in
 * parallel (no HQ involved). Returns the wall time in ms.
 */
export async function ingestBound(
  images: SeededImage[],
  sites: RegistryServer[],
  dir: string,
): Promise<number> {
  mkdirSync(dir, { recursive: true });
  for (const image of images) {
    for (const [digest, bytes] of image.blobs) writeFileSync(join(dir, digest.replace(':', '-')), bytes);
  }
  const started = performance.now();
  await Promise.all(
    sites.map(async (site) => {
      const client = createRegistryClient({ url: site.url, connections: 16 });
      let next = 0;
      const lane = async () => {
        while (next < images.length) {
          const image = images[next++]!;
          await Promise.all(
            [...image.blobs].map(([digest, bytes]) =>
              client.uploadBlob(
                image.repository,
                { digest, size: bytes.length },
                createReadStream(join(dir, digest.replace(':', '-'))),
              ),
            ),
          );
          await client.putManifest(image.repository, 'v1', {
            bytes: image.manifest,
            mediaType: image.mediaType,
          });
        }
      };
      await Promise.all(Array.from({ length: 4 }, lane));
      await client.close();
    }),
  );
  return performance.now() - started;
}
