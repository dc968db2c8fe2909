// Regatta's copy engine beside skopeo on the same images: HQ → three sites, on loopback and on a
// shaped HQ uplink. Prints every figure and writes docs/benchmarks.md. Asserts nothing.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../test/harness/free-port.js';
import { pushImage } from '../test/harness/images.js';
import { startRegistryServer, type RegistryServer } from '../test/harness/registry-server.js';
import { startCountingProxy, type CountingProxy } from '../test/harness/counting-proxy.js';
import { startHqRegistry } from './hq-registry.js';
import { ingestBound, type SeededImage } from './ingest-bound.js';
import { writeReport, type Figure } from './report.js';
import { createUplink } from './uplink-namespace.js';

const run = promisify(execFile);
const env = process.env;
const imageCount = Number(env.BENCH_IMAGES ?? 20);
const layersPerImage = Number(env.BENCH_LAYERS ?? 5);
const layerBytes = Number(env.BENCH_LAYER_MIB ?? 2) * 1024 * 1024;
const bigLayerBytes = Number(env.BENCH_BIG_MIB ?? 256) * 1024 * 1024;
const uplinkMbit = Number(env.BENCH_UPLINK_MBIT ?? 100);
const shapes = (env.BENCH_SHAPES ?? 'loopback,uplink').split(',');

/** Runs a command under GNU time; returns its wall time and peak RSS (MiB). */
async function timed(command: string[]): Promise<{ wallMs: number; rssMiB: number; stdout: string }> {
  const started = performance.now();
  const { stdout, stderr } = await run('/usr/bin/time', ['-f', 'maxrss=%M', ...command], {
    maxBuffer: 64 * 1024 * 1024,
    cwd: import.meta.dirname,
  });
  const wallMs = performance.now() - started;
  const rss = /maxrss=(\d+)/.exec(stderr)?.[1];
  return { wallMs, rssMiB: Number(rss ?? 0) / 1024, stdout };
}

async function runShape(shape: string): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), `regatta-bench-${shape}-`));
  const uplink = shape === 'uplink' ? createUplink(uplinkMbit) : undefined;
  const stops: Array<() => Promise<void>> = [];
  try {
    const hq = await startHqRegistry(
      join(dir, 'hq'),
      uplink?.hqAddress ?? '127.0.0.1',
      await freePort(),
      uplink?.namespace,
    );
    stops.push(hq.stop);
    const proxy: CountingProxy = await startCountingProxy({
      target: { host: hq.host.split(':')[0]!, port: Number(hq.host.split(':')[1]) },
    });
    stops.push(proxy.stop);
    const sites: RegistryServer[] = [];
    for (const name of ['site-a', 'site-b', 'site-c']) {
      mkdirSync(join(dir, name));
      const site = await startRegistryServer({ name, dir: join(dir, name) });
      sites.push(site);
      stops.push(site.stop);
    }

    const hqAccess = {
      registry: { url: hq.url, credentials: undefined },
    };
    const images: SeededImage[] = [];
    const specs = Array.from({ length: imageCount }, (_, index) => ({
      repository: `bench/img${index}`,
      layers: Array(layersPerImage).fill(layerBytes) as number[],
    }));
    if (bigLayerBytes > 0) specs.push({ repository: 'bench/big', layers: [bigLayerBytes] });
    for (const spec of specs) {
      const image = await pushImage(hqAccess, spec.repository, 'v1', { layerSizes: spec.layers });
      images.push({
        repository: spec.repository,
        manifest: image.manifest,
        mediaType: image.mediaType,
        blobs: image.blobs,
      });
    }
    const uniqueBytes = images.reduce(
      (sum, image) => sum + [...image.blobs.values()].reduce((s, blob) => s + blob.length, 0),
      0,
    );
    const repositories = images.map((image) => image.repository);

    const resetSites = async () => {
      for (const site of sites) {
        await site.stop();
        rmSync(site.storageDir, { recursive: true, force: true });
        mkdirSync(site.storageDir, { recursive: true });
        await site.start();
      }
    };
    const yamlFile = join(dir, 'sync.yaml');
    writeFileSync(
      yamlFile,
      `${proxy.host}:\n  tls-verify: false\n  images:\n${repositories.map((repository) => `    ${repository}: ['v1']\n`).join('')}`,
    );
    const skopeo = (site: RegistryServer) =>
      timed([
        'skopeo',
        'sync',
        '--src',
        'yaml',
        '--dest',
        'docker',
        '--dest-tls-verify=false',
        '--retry-times',
        '0',
        yamlFile,
        site.host,
      ]);
    const regatta = () =>
      timed([
        process.execPath,
        '--import',
        'tsx',
        'regatta-copy.ts',
        JSON.stringify({
          source: proxy.url,
          sites: sites.map((site) => site.url),
          images: repositories,
          parallel: 4,
        }),
      ]);

    const figures: Figure[] = [];
    const record = (tool: string, phase: string, wallMs: number, rssMiB: number, engineMs?: number) => {
      const figure = {
        shape,
        tool,
        phase,
        wallS: wallMs / 1000,
        engineS: engineMs === undefined ? undefined : engineMs / 1000,
        hqReadRatio: proxy.counts.bytesFromUpstream / uniqueBytes,
        requests: proxy.counts.requests,
        peakRssMiB: rssMiB,
      };
      figures.push(figure);
      console.log(JSON.stringify(figure));
    };

    for (const phase of ['cold', 'warm']) {
      if (phase === 'cold') await resetSites();
      proxy.reset();
      const result = await regatta();
      const engine = JSON.parse(result.stdout) as { wallMs: number; failures: number };
      if (engine.failures > 0) throw new Error(`regatta: ${engine.failures} target copies failed`);
      record('regatta', phase, result.wallMs, result.rssMiB, engine.wallMs);
    }
    for (const phase of ['cold', 'warm']) {
      if (phase === 'cold') await resetSites();
      proxy.reset();
      let wallMs = 0;
      let rssMiB = 0;
      for (const site of sites) {
        const result = await skopeo(site);
        wallMs += result.wallMs;
        rssMiB = Math.max(rssMiB, result.rssMiB);
      }
      record('skopeo sync, one site after another', phase, wallMs, rssMiB);
    }
    for (const phase of ['cold', 'warm']) {
      if (phase === 'cold') await resetSites();
      proxy.reset();
      const started = performance.now();
      const results = await Promise.all(sites.map(skopeo));
      record(
        'skopeo sync, three sites in parallel',
        phase,
        performance.now() - started,
        results.reduce((sum, r) => sum + r.rssMiB, 0),
      );
    }
    if (shape === 'loopback') {
      await resetSites();
      proxy.reset();
      const wallMs = await ingestBound(images, sites, join(dir, 'files'));
      record('ingest bound (local files → three sites)', 'cold', wallMs, 0);
    }
    return figures.map((figure) => ({ ...figure, uniqueMiB: uniqueBytes / 1024 / 1024 }));
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    uplink?.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

const all: Figure[] = [];
for (const shape of shapes) all.push(...(await runShape(shape)));
writeReport(all, { imageCount, layersPerImage, layerBytes, bigLayerBytes, uplinkMbit });
