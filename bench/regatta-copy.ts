// Child process: copies every image with Regatta's engine, so its peak RSS is measured alone.
import { copyArtifact, createRegistryClient } from '../registry/index.js';

const job = JSON.parse(process.argv[2]!) as {
  source: string;
  sites: string[];
  images: string[];
  parallel: number;
};
const source = createRegistryClient({ url: job.source, connections: 16 });
const sites = job.sites.map((url) => createRegistryClient({ url, connections: 16 }));
const started = performance.now();
let next = 0;
let failures = 0;
const lane = async () => {
  while (next < job.images.length) {
    const repository = job.images[next++]!;
    const result = await copyArtifact({
      source: { client: source, repository, reference: 'v1' },
      targets: sites.map((client, index) => ({ id: String(index), client, repository })),
    });
    failures += result.targets.filter((target) => target.status === 'failed').length;
  }
};
await Promise.all(Array.from({ length: job.parallel }, lane));
const wallMs = performance.now() - started;
for (const client of [source, ...sites]) await client.close();
process.stdout.write(JSON.stringify({ wallMs, failures, blobBytesRead: source.stats.blobBytesRead }) + '\n');
