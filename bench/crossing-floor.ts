// The uplink's own floor: every unique blob read once from HQ across the shaped link by a bare
// undici client, `lanes` at once, written nowhere. What that takes is the time the unique bytes
// need to cross once as TCP carries them (its headers and framing ride the same link), which the
// nominal figure (bytes over the rate) leaves out: any tool's cold run over the link takes longer.
import { Agent, request } from 'undici';
import { forEachBounded } from '../registry/index.js';

export interface Blob {
  repository: string;
  digest: string;
  size: number;
}

export interface CrossingFloor {
  lanes: number;
  bytes: number;
  seconds: number;
}

export async function measureCrossing(
  hqUrl: string,
  blobs: readonly Blob[],
  lanes: number,
): Promise<CrossingFloor> {
  const dispatcher = new Agent();
  let bytes = 0;
  const started = performance.now();
  try {
    await forEachBounded(blobs, lanes, async ({ repository, digest, size }) => {
      const response = await request(`${hqUrl}/v2/${repository}/blobs/${digest}`, { dispatcher });
      let read = 0;
      for await (const chunk of response.body) read += (chunk as Buffer).length;
      if (response.statusCode !== 200 || read !== size)
        throw new Error(
          `GET ${hqUrl}/v2/${repository}/blobs/${digest}: ${response.statusCode}, ${read} of ${size} bytes`,
        );
      bytes += read;
    });
    return { lanes, bytes, seconds: (performance.now() - started) / 1000 };
  } finally {
    await dispatcher.close();
  }
}
