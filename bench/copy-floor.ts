// A small run's copies alone: every image copied from HQ to fresh sites by a bare undici client,
// with only the requests a correct copy needs and everything that can overlap at once. At HQ each
// manifest and each blob is read once; at each site the manifest's HEAD (is the tag there?), then
// for each blob its HEAD (nothing re-sent), a POST and a PUT with the bytes, and the manifest's PUT
// after its blobs. What that takes is the floor the machine's registries set for any tool's copy;
// a tool's run adds its own start, listing and finish.
import { Agent, request, type Dispatcher } from 'undici';
import { acceptedManifestTypes } from '../registry/index.js';
import { cpuByCommand } from './process-cpu.js';

export interface CopyFloor {
  images: number;
  sites: number;
  requests: number;
  seconds: number;
  /** CPU the registries (every `docker-registry` under this process) spent meanwhile. */
  registryCpuSeconds: number;
}

interface Manifest {
  mediaType: string;
  bytes: Buffer;
  blobs: string[];
}

/** `images` as `repository:tag` at `hqUrl`; `siteUrls` hold none of them. */
export async function measureCopyFloor(
  hqUrl: string,
  siteUrls: readonly string[],
  images: readonly string[],
): Promise<CopyFloor> {
  const dispatcher = new Agent();
  let requests = 0;
  const send = async (
    url: string | URL,
    expected: number,
    options: Omit<Dispatcher.RequestOptions, 'origin' | 'path'> = { method: 'GET' },
  ) => {
    requests++;
    const response = await request(url, { ...options, dispatcher });
    const body = Buffer.from(await response.body.arrayBuffer());
    if (response.statusCode !== expected)
      throw new Error(`${options.method} ${url}: ${response.statusCode}, not ${expected}`);
    return { body, headers: response.headers };
  };
  const readManifest = async (repository: string, tag: string): Promise<Manifest> => {
    const { body, headers } = await send(`${hqUrl}/v2/${repository}/manifests/${tag}`, 200, {
      method: 'GET',
      headers: { accept: acceptedManifestTypes },
    });
    const parsed = JSON.parse(body.toString()) as { config: { digest: string }; layers: Array<{ digest: string }> };
    return {
      mediaType: String(headers['content-type']),
      bytes: body,
      blobs: [parsed.config.digest, ...parsed.layers.map((layer) => layer.digest)],
    };
  };
  const pushBlob = async (siteUrl: string, repository: string, digest: string, bytes: Buffer) => {
    await send(`${siteUrl}/v2/${repository}/blobs/${digest}`, 404, { method: 'HEAD' });
    const started = await send(`${siteUrl}/v2/${repository}/blobs/uploads/`, 202, { method: 'POST' });
    const location = new URL(String(started.headers.location), siteUrl);
    location.searchParams.set('digest', digest);
    await send(location, 201, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
      body: bytes,
    });
  };
  const copyImage = async (image: string) => {
    const [repository, tag] = image.split(':') as [string, string];
    const manifest = await readManifest(repository, tag);
    const blobs = await Promise.all(
      manifest.blobs.map(async (digest) => {
        const { body } = await send(`${hqUrl}/v2/${repository}/blobs/${digest}`, 200);
        return [digest, body] as const;
      }),
    );
    await Promise.all(
      siteUrls.map(async (siteUrl) => {
        const at = `${siteUrl}/v2/${repository}/manifests/${tag}`;
        await send(at, 404, { method: 'HEAD', headers: { accept: acceptedManifestTypes } });
        await Promise.all(blobs.map(([digest, bytes]) => pushBlob(siteUrl, repository, digest, bytes)));
        await send(at, 201, {
          method: 'PUT',
          headers: { 'content-type': manifest.mediaType },
          body: manifest.bytes,
        });
      }),
    );
  };
  const cpuBefore = cpuByCommand();
  const started = performance.now();
  try {
    await Promise.all(images.map(copyImage));
  } finally {
    await dispatcher.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const registryCpuSeconds =
    (cpuByCommand().get('docker-registry') ?? 0) - (cpuBefore.get('docker-registry') ?? 0);
  return { images: images.length, sites: siteUrls.length, requests, seconds, registryCpuSeconds };
}
