// The no-op run's requests alone: for every tag, a manifest HEAD at HQ and at the site together,
// from a bare undici client, as many tags at once as `lanes`. What that takes, beside the tools'
// no-op runs on the same registries, is the floor the machine's registries set for any tool.
import { Agent, request } from 'undici';
import { acceptedManifestTypes, forEachBounded } from '../registry/index.js';
import { cpuByCommand } from './process-cpu.js';

export interface HeadFloor {
  lanes: number;
  /** Tags asked, each with two HEADs (HQ and the site). */
  tags: number;
  seconds: number;
  /** CPU the registries (every `docker-registry` under this process) spent meanwhile. */
  registryCpuSeconds: number;
  /** CPU this process spent meanwhile: the client's (and a counting proxy's, were one in between). */
  clientCpuSeconds: number;
}

/** `images` as `repository:tag`; every one must be at the site with HQ's digest (a no-op). */
export async function measureHeadFloor(
  hqUrl: string,
  siteUrl: string,
  images: readonly string[],
  lanes: number,
): Promise<HeadFloor> {
  const dispatcher = new Agent();
  const head = async (url: string, repository: string, tag: string) => {
    const response = await request(`${url}/v2/${repository}/manifests/${tag}`, {
      method: 'HEAD',
      headers: { accept: acceptedManifestTypes },
      dispatcher,
    });
    await response.body.dump();
    const digest = response.headers['docker-content-digest'];
    if (response.statusCode !== 200 || typeof digest !== 'string')
      throw new Error(`HEAD ${url}/v2/${repository}/manifests/${tag}: ${response.statusCode}`);
    return digest;
  };
  const cpuBefore = cpuByCommand();
  const started = performance.now();
  try {
    await forEachBounded(images, lanes, async (image) => {
      const [repository, tag] = image.split(':') as [string, string];
      const [atHq, atSite] = await Promise.all([
        head(hqUrl, repository, tag),
        head(siteUrl, repository, tag),
      ]);
      if (atHq !== atSite) throw new Error(`${image} differs at the site: not a no-op`);
    });
  } finally {
    await dispatcher.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuByCommand();
  const spent = (command: string) => (cpuAfter.get(command) ?? 0) - (cpuBefore.get(command) ?? 0);
  return {
    lanes,
    tags: images.length,
    seconds,
    registryCpuSeconds: spent('docker-registry'),
    clientCpuSeconds: spent('self'),
  };
}

/** Floors as a sentence of the bench's notes, ending with the least time any tool could take. */
export function describeHeadFloors(floors: readonly HeadFloor[], cores: number): string {
  const each = floors.map((floor) => {
    const perHead = (floor.registryCpuSeconds / (floor.tags * 2)) * 1000;
    return `${floor.lanes} tags at once ${floor.seconds.toFixed(1)} s, the registries' CPU ${floor.registryCpuSeconds.toFixed(1)} s (${perHead.toFixed(2)} ms a HEAD), the client's ${floor.clientCpuSeconds.toFixed(1)} s`;
  });
  const least = Math.min(...floors.map((floor) => floor.registryCpuSeconds));
  return `${each.join('; ')}. The registries alone need at least ${least.toFixed(1)} CPU-seconds for these HEADs: no tool's no-op run can take less than ${(least / cores).toFixed(1)} s on these ${cores} cores, even if nothing else ran`;
}
