// Regatta as a user runs it — `regatta dev` (its own Temporal dev server, the API and a worker in
// one process), registries and a policy over the API, a manual run timed from POST to Succeed —
// side by side with regsync, crane and skopeo on the same workloads. Prints the table with ratios
// to the best peer and writes it to docs/benchmarks.md; asserts nothing.
//
// BENCH_CHECKOUT=<folder> runs another checkout's Regatta (a before/after comparison);
// BENCH_TOOLS=regatta,regsync limits the tools; BENCH_NO_OP_TAGS sets the no-op run's size;
// BENCH_ONLY=tags,noop limits the workloads (fanout, small, tags, noop, big, uplink).
// After the first tool's runs over many tags (tags, noop), the warm run's HEADs from a bare client
// on the same registries (head-floor.ts) show what the registries alone allow: every tool's floor.
// After the tools' runs over the 100 Mbit/s uplink, every unique blob read once across it by a bare
// client (crossing-floor.ts) shows what the link alone allows, TCP's framing included.
// After the tools' small runs, the same copies by a bare client on fresh sites (copy-floor.ts), three
// times, show what the registries alone allow a small run's copies.
// BENCH_BUILT=1 runs the compiled Regatta (dist/, from `npm run build`) as the image runs it: with
// the Node flags of the Dockerfile's ENTRYPOINT and the environment of its runtime stage (malloc's);
// BENCH_NODE_OPTIONS is its NODE_OPTIONS (V8's heap flags, say).
// BENCH_SPLIT=1 runs Regatta as production does, a Temporal dev server, `regatta api` and
// `regatta worker` as three processes (regatta-dev.ts), and reports the worker's and the API's
// peak RSS apart, each workload's own (the peak is reset before it), in a doc section of its own.
// BENCH_PROFILE=<folder> profiles every Regatta run into that folder (profile-hooks.ts: a CPU
// profile of each thread, memory samples; run-history.ts: Temporal's side) and counts each
// run's requests to HQ and to the sites; the doc is not written then. Split, the hooks are the
// worker's. BENCH_PROFILE_CPU=0 leaves the CPU profiles out (the profiler's own memory would
// count in the process's); BENCH_PROFILE_HEAP=1 writes a heap snapshot of every thread after each
// run (what stays live; the snapshot's own memory counts in the peaks after it).
// BENCH_SITE_DELAY_MS=<ms> puts every site behind a proxy that holds each way's bytes that long:
// sites a round trip of twice that away, as in other datacenters (HQ stays on loopback).
// BENCH_REGISTRY_CACHE=1 gives HQ and the sites Distribution's in-memory blob descriptor cache, as
// its packaged config.yml sets it; without, they run as the test bed runs them (no cache).
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { transformSync } from 'esbuild';
import { pushImage } from '../test/harness/images.js';
import { rawPushManifest } from '../test/harness/raw-client.js';
import { startRegistryServer, type RegistryServer } from '../test/harness/registry-server.js';
import { startCountingProxy, type CountingProxy } from '../test/harness/counting-proxy.js';
import { writeDocSection } from './doc-section.js';
import { ensurePeer, goBin, regsyncOnce, skopeoSync } from './peer-tools.js';
import {
  callApi,
  createRegistry,
  idOf,
  peakRssMiB,
  regattaPeaks,
  resetPeakRss,
  rssMiB,
  startRegatta,
  timeRegattaRun,
  asTheImage,
  type Regatta,
} from './regatta-dev.js';
import { loadAverages } from './load-average.js';
import { median } from './median.js';
import { scratchFolder } from './scratch-folder.js';
import { startHqRegistry } from './hq-registry.js';
import { cpuByCommand, describeCpu } from './process-cpu.js';
import { describeProfiles, profileRun } from './run-history.js';
import { describeHeadFloors, measureHeadFloor, type HeadFloor } from './head-floor.js';
import { measureCrossing, type Blob } from './crossing-floor.js';
import { measureCopyFloor, type CopyFloor } from './copy-floor.js';
import { createUplink } from './uplink-namespace.js';

const run = promisify(execFile);
const checkout = resolve(process.env.BENCH_CHECKOUT ?? join(import.meta.dirname, '..'));
const tools = new Set((process.env.BENCH_TOOLS ?? 'regatta,regsync,crane,skopeo').split(','));
const noOpTags = Number(process.env.BENCH_NO_OP_TAGS ?? 10_000);
/** Warm runs per workload and tool; the median is reported (a warm run is short, and noisy). */
const warmRuns = Math.max(1, Number(process.env.BENCH_WARM_RUNS ?? 1));
const built = process.env.BENCH_BUILT === '1';
const split = process.env.BENCH_SPLIT === '1';
const siteDelayMs = Number(process.env.BENCH_SITE_DELAY_MS ?? 0);
const only = new Set((process.env.BENCH_ONLY ?? 'fanout,small,tags,noop,big,uplink').split(','));
const profileDir = process.env.BENCH_PROFILE ? resolve(process.env.BENCH_PROFILE) : undefined;
const profileCpu = process.env.BENCH_PROFILE_CPU !== '0';
const profileHeap = process.env.BENCH_PROFILE_HEAP === '1';
const blobDescriptorCache = process.env.BENCH_REGISTRY_CACHE === '1';
/** Built, Regatta runs as the image does: the Node flags and environment the image gives it. */
const image = built ? asTheImage(checkout) : undefined;
const imageSettings = image
  ? [
      ...image.nodeFlags,
      ...Object.entries(image.env)
        .filter(([name]) => name !== 'REGATTA_DATA_DIR')
        .map(([name, value]) => `${name}=${value}`),
    ].join(' ')
  : '';
const MiB = 1024 * 1024;
/** Tags at once in a floor (head-floor.ts): regsync's parallelism, Regatta's page check's, twice that. */
const floorLanes = [8, 32, 64];
const [loadAtStart] = loadAverages();

type Tool = 'regatta' | 'regsync' | 'crane' | 'skopeo';
interface Hq {
  host: string;
  url: string;
  /** HQ's egress bytes, counted by a proxy every tool reads HQ through (loopback shapes). */
  egress?: () => number;
}
/** A site registry as the tools reach it. */
type Site = Pick<RegistryServer, 'host' | 'url' | 'stop'>;
interface Workload {
  name: string;
  hq: Hq;
  /** Every `repository:tag` the workload copies. */
  images: string[];
  uniqueBytes: number;
  sites: number;
  peers: Tool[];
  /** HQ's egress is compared with the unique bytes (not for many tags of one image: manifests dominate). */
  egress: boolean;
  /** One warm run, whatever BENCH_WARM_RUNS says: a long run is not noisy. */
  oneWarmRun?: boolean;
}
interface Row {
  workload: string;
  phase: 'cold' | 'warm';
  tool: Tool;
  seconds: number;
  hqRatio?: number;
}

// ---- Regatta, as a user runs it ----

/** A policy from HQ to the sites over the API, as a user makes it. */
async function createPolicy(regatta: Regatta, name: string, hq: Hq, sites: Site[]): Promise<number> {
  const source = await createRegistry(regatta, `${name}-hq`, hq.url);
  const destinations = [];
  for (const [index, site] of sites.entries())
    destinations.push({ id: await createRegistry(regatta, `${name}-site-${index}`, site.url) });
  const created = await callApi(regatta, 'POST', '/replication/policies', {
    name,
    src_registry: { id: source },
    dest_registries: destinations,
    filters: [{ type: 'name', value: `${name}/**` }],
    trigger: { type: 'manual' },
    enabled: true,
  });
  return idOf(created.location);
}

/**
 * profile-hooks.ts as JavaScript: it runs in Temporal's workflow threads too, where tsx's loader
 * is not registered.
 */
function compiledProfileHooks(): string {
  mkdirSync(profileDir!, { recursive: true });
  const file = join(profileDir!, 'profile-hooks.mjs');
  const source = readFileSync(join(import.meta.dirname, 'profile-hooks.ts'), 'utf8');
  writeFileSync(file, transformSync(source, { loader: 'ts', format: 'esm' }).code);
  return file;
}

/** Split, the CPU of Regatta's processes is told apart by role (both are `node`). */
let cpuLabels: ReadonlyMap<number, string> = new Map();

/** What a profiled run's requests are counted by: HQ's proxy and the sites'. */
const requestCounters: CountingProxy[] = [];
let profileCommand = 0;
/** Tells every thread of the Regatta process what to do (profile-hooks.ts), and waits for it to. */
async function profileControl(command: string): Promise<void> {
  writeFileSync(join(profileDir!, 'control'), `${++profileCommand} ${command}`);
  await sleep(1500);
}

/** Seconds from POST to the end of the run (regatta-dev.ts), profiled under BENCH_PROFILE. */
async function timeRun(regatta: Regatta, policyId: number, label: string): Promise<number> {
  const requestsBefore = requestCounters.map((proxy) => proxy.counts.requests);
  const cpuBefore = profileDir ? cpuByCommand(process.pid, cpuLabels) : undefined;
  if (profileDir && profileCpu) await profileControl(`start ${label}`);
  const { seconds, workflowId } = await timeRegattaRun(regatta, policyId);
  if (profileDir) await reportProfile(regatta, label, workflowId, seconds, requestsBefore, cpuBefore!);
  return seconds;
}

/** Requests to HQ and to the sites since `before` (counts of `requestCounters`). */
function describeRequests(before: number[]): string {
  const requests = requestCounters.map((proxy, index) => proxy.counts.requests - (before[index] ?? 0));
  return `requests to HQ ${requests[0]}, to the sites ${requests.slice(1).reduce((sum, count) => sum + count, 0)}`;
}

async function reportProfile(
  regatta: Regatta,
  label: string,
  workflowId: string,
  seconds: number,
  requestsBefore: number[],
  cpuBefore: Map<string, number>,
): Promise<void> {
  // CPU used by the run, read before the profile is written (which costs some).
  const cpu = describeCpu(cpuBefore, cpuByCommand(process.pid, cpuLabels));
  if (profileCpu) await profileControl('stop');

  const peaks = split
    ? `peak RSS in this workload ${regattaPeaks(regatta)
        .map((peak) => `${peak.process} ${peak.mib.toFixed(0)} MiB`)
        .join(', ')}`
    : `peak RSS so far ${peakRssMiB(regatta.processes[0]!.pid).toFixed(0)} MiB`;
  // After the peaks are read: a snapshot takes about as much memory again as the heap holds.
  if (profileHeap) await profileControl(`heap ${label}`);
  const text = [
    `== ${label}: ${seconds.toFixed(2)} s, ${peaks}, ${describeRequests(requestsBefore)}`,
    `CPU during the run (the bench's process tree by command; self = the bench, ${split ? 'regatta-worker and regatta-api' : 'node'} = Regatta): ${cpu}`,
    describeProfiles(await profileRun(regatta.temporalAddress, workflowId)),
    '',
  ].join('\n');
  console.log(text);
  writeFileSync(join(profileDir!, 'report.txt'), `${text}\n`, { flag: 'a' });
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return (performance.now() - started) / 1000;
}

function repositoriesOf(images: string[]): string[] {
  return [...new Set(images.map((image) => image.split(':')[0]!))];
}

async function regsync(dir: string, workload: Workload, sites: Site[]): Promise<void> {
  await regsyncOnce(
    dir,
    workload.hq.host,
    sites.map((site) => site.host),
    repositoriesOf(workload.images),
  );
}

async function crane(workload: Workload, sites: Site[]): Promise<void> {
  const copies = sites.flatMap((site) => workload.images.map((image) => [image, site.host] as const));
  let next = 0;
  const lane = async () => {
    while (next < copies.length) {
      const [image, host] = copies[next++]!;
      await run(join(goBin, 'crane'), [
        'copy',
        '--insecure',
        `${workload.hq.host}/${image}`,
        `${host}/${image}`,
      ]);
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
}

async function skopeo(dir: string, workload: Workload, sites: Site[]): Promise<void> {
  await skopeoSync(
    dir,
    workload.hq.host,
    sites.map((site) => site.host),
    workload.images,
  );
}

// ---- the workloads ----

async function pushImages(hq: { url: string }, name: string, count: number, layerSizes: number[]) {
  const access = { registry: { url: hq.url, credentials: undefined }, credentials: null };
  const images: string[] = [];
  const blobs: Blob[] = [];
  for (let index = 0; index < count; index++) {
    const repository = `${name}/image-${index}`;
    const image = await pushImage(access, repository, 'v1', { layerSizes });
    images.push(`${repository}:v1`);
    for (const [digest, bytes] of image.blobs) blobs.push({ repository, digest, size: bytes.length });
  }
  const uniqueBytes = count * layerSizes.reduce((sum, size) => sum + size, 0);
  return { images, uniqueBytes, blobs };
}

/** One small image tagged many times in each repository: a run over `tags` artifacts. */
async function pushManyTags(hq: RegistryServer, name: string, tags: number, repositories: number) {
  const access = { registry: hq, credentials: null };
  const images: string[] = [];
  for (let index = 0; index < repositories; index++) {
    const repository = `${name}/many-${index}`;
    const image = await pushImage(access, repository, 't0', { layerSizes: [256] });
    images.push(`${repository}:t0`);
    for (let tag = 1; tag < tags / repositories; tag++) {
      await rawPushManifest(access, repository, `t${tag}`, image.mediaType, image.manifest);
      images.push(`${repository}:t${tag}`);
    }
  }
  return images;
}

async function main() {
  const { dir, folder } = scratchFolder('regatta-bench-peers-');
  const cleanups: Array<() => Promise<void> | void> = [];
  const rows: Row[] = [];
  const notes: string[] = [];
  /** The many-tag workloads' floors (tags, noop), by workload. */
  const headFloors = new Map<string, HeadFloor[]>();
  /** Each Regatta process's peak RSS over the whole bench (MiB), by process (the uplink's left out). */
  const wholePeaks = new Map<string, number>();
  let benchPeaks: Array<[string, number]> = [];
  let temporalPeak: number | undefined;
  /** Each Regatta process's peak RSS after each of its workloads (split: in it), by process. */
  const rssAfter = new Map<string, string[]>();
  /** Split, each Regatta process's resident set (MiB) when the workload began: its peak's floor. */
  const rssAtStart = new Map<string, number>();
  let regatta: Regatta | undefined;
  /** Reads the peaks into `wholePeaks`, and under `label` into `rssAfter`. */
  const readPeaks = (label?: string) => {
    for (const peak of regatta ? regattaPeaks(regatta) : []) {
      wholePeaks.set(peak.process, Math.max(wholePeaks.get(peak.process) ?? 0, peak.mib));
      if (label)
        rssAfter.set(peak.process, [
          ...(rssAfter.get(peak.process) ?? []),
          `${label} ${peak.mib.toFixed(0)}${rssAtStart.has(peak.process) ? ` (${rssAtStart.get(peak.process)!.toFixed(0)})` : ''}`,
        ]);
    }
  };
  /** Split, a workload's peak is its own: what came before (start-up, another workload) is forgotten. */
  const beginWorkload = () => {
    if (!split || !regatta) return;
    readPeaks();
    for (const peak of regattaPeaks(regatta)) {
      resetPeakRss(peak.pid);
      rssAtStart.set(peak.process, rssMiB(peak.pid));
    }
  };
  try {
    for (const peer of ['regsync', 'crane'] as const) if (tools.has(peer)) await ensurePeer(peer);
    const hqServer = await startRegistryServer({ name: 'hq', dir: folder('hq'), blobDescriptorCache });
    cleanups.push(() => hqServer.stop());
    const [hqHost, hqPort] = hqServer.host.split(':') as [string, string];
    const proxy = await startCountingProxy({ target: { host: hqHost, port: Number(hqPort) } });
    cleanups.push(() => proxy.stop());
    const hq: Hq = { host: proxy.host, url: proxy.url, egress: () => proxy.counts.bytesFromUpstream };
    // Profiled, a run's requests are counted: to HQ here, to the sites by their own proxies.
    if (profileDir) requestCounters.push(proxy);

    regatta = tools.has('regatta')
      ? await startRegatta(folder('regatta'), checkout, {
          built,
          split,
          imports: profileDir ? [compiledProfileHooks()] : [],
          env: {
            ...(profileDir ? { BENCH_PROFILE_DIR: profileDir } : {}),
            ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
          },
        })
      : undefined;
    if (regatta) {
      const started = regatta;
      cleanups.push(() => started.stop());
      if (split) {
        cpuLabels = new Map(started.processes.map(({ role, pid }) => [pid, `regatta-${role}`]));
        readPeaks('start-up');
      }
    }

    const workloads: Workload[] = [];
    /** `count` images of these layers, copied to three sites by every tool. */
    const imagesToThreeSites = async (name: string, count: number, layerSizes: number[]) => {
      if (!only.has(name)) return;
      const pushed = await pushImages(hqServer, name, count, layerSizes);
      workloads.push({ name, hq, ...pushed, sites: 3, peers: ['regsync', 'crane', 'skopeo'], egress: true });
    };
    await imagesToThreeSites('fanout', 20, Array<number>(5).fill(2 * MiB));
    await imagesToThreeSites('small', 3, [100_000, 100_000]);
    if (only.has('tags')) {
      const tags = await pushManyTags(hqServer, 'tags', 2000, 10);
      workloads.push({
        name: 'tags',
        hq,
        images: tags,
        uniqueBytes: 10 * 256,
        sites: 1,
        peers: ['regsync', 'skopeo'],
        egress: false,
      });
    }
    if (only.has('noop')) {
      // Cold copies every tag; warm is the no-op run, every tag already at the site. Beside
      // regsync, which asks the same two HEADs a tag, it shows what the machine's registries allow.
      const tags = await pushManyTags(hqServer, 'noop', noOpTags, 10);
      workloads.push({
        name: 'noop',
        hq,
        images: tags,
        uniqueBytes: 10 * 256,
        sites: 1,
        peers: ['regsync'],
        egress: false,
        oneWarmRun: true,
      });
    }

    let siteCount = 0;
    /** Fresh sites; profiled or distant, each behind a proxy that counts its requests (and delays them). */
    const startSites = async (count: number) => {
      const sites: Site[] = [];
      for (let index = 0; index < count; index++) {
        const server = await startRegistryServer({
          name: `site-${siteCount}`,
          dir: folder(`site-${siteCount++}`),
          blobDescriptorCache,
        });
        cleanups.push(() => server.stop());
        if (!profileDir && !siteDelayMs) {
          sites.push(server);
          continue;
        }
        const [host, port] = server.host.split(':') as [string, string];
        const counter = await startCountingProxy({
          target: { host, port: Number(port) },
          delayMs: siteDelayMs,
        });
        if (profileDir) requestCounters.push(counter);
        cleanups.push(() => counter.stop());
        sites.push({ host: counter.host, url: counter.url, stop: () => server.stop() });
      }
      return sites;
    };

    const measure = async (workload: Workload, tool: Tool) => {
      const sites = await startSites(workload.sites);
      const work = folder(`${workload.name}-${tool}`);
      const once =
        tool === 'regatta'
          ? await (async () => {
              const policyId = await createPolicy(regatta!, workload.name, workload.hq, sites);
              beginWorkload();
              let phase = 0;
              return () => timeRun(regatta!, policyId, `${workload.name}-${++phase === 1 ? 'cold' : 'warm'}`);
            })()
          : async () => {
              const requestsBefore = requestCounters.map((proxy) => proxy.counts.requests);
              const cpuBefore = cpuByCommand(process.pid, cpuLabels);
              const seconds = await timed(() =>
                tool === 'regsync'
                  ? regsync(work, workload, sites)
                  : tool === 'crane'
                    ? crane(workload, sites)
                    : skopeo(work, workload, sites),
              );
              // Profiled, a peer's run is described as Regatta's is (without Temporal's side).
              if (profileDir) {
                const text = `== ${workload.name} ${tool}: ${seconds.toFixed(2)} s, ${describeRequests(requestsBefore)}\nCPU during the run: ${describeCpu(cpuBefore, cpuByCommand(process.pid, cpuLabels))}\n`;
                console.log(text);
                writeFileSync(join(profileDir, 'report.txt'), `${text}\n`, { flag: 'a' });
              }
              return seconds;
            };
      for (const phase of ['cold', 'warm'] as const) {
        const before = workload.hq.egress?.() ?? 0;
        const times: number[] = [];
        for (let run = 0; run < (phase === 'warm' && !workload.oneWarmRun ? warmRuns : 1); run++)
          times.push(await once());
        const seconds = median(times);
        if (times.length > 1)
          console.log(
            `${workload.name} ${phase} ${tool}, each run: ${times.map((time) => time.toFixed(3)).join(' ')}`,
          );
        const bytes = (workload.hq.egress?.() ?? 0) - before;
        rows.push({
          workload: workload.name,
          phase,
          tool,
          seconds,
          hqRatio: workload.egress && phase === 'cold' ? bytes / workload.uniqueBytes : undefined,
        });
        console.log(`${workload.name} ${phase} ${tool}: ${seconds.toFixed(2)} s`);
      }
      if (tool === 'regatta') readPeaks(workload.name);
      // After the first tool's runs over many tags, the warm run's HEADs alone on the same
      // registries (HQ without the counting proxy, whose CPU would count as the client's): the floor.
      if ((workload.name === 'tags' || workload.name === 'noop') && !headFloors.has(workload.name)) {
        const floors: HeadFloor[] = [];
        for (const lanes of floorLanes)
          floors.push(await measureHeadFloor(hqServer.url, sites[0]!.url, workload.images, lanes));
        headFloors.set(workload.name, floors);
      }
      // A finished comparison's sites free their disk for the next.
      for (const site of sites) await site.stop();
    };

    for (const workload of workloads) {
      for (const tool of ['regatta', ...workload.peers] as Tool[])
        if (tools.has(tool)) await measure(workload, tool);
      if (workload.name === 'small') {
        const floors: CopyFloor[] = [];
        for (let round = 0; round < 3; round++) {
          const sites = await startSites(workload.sites);
          floors.push(await measureCopyFloor(hqServer.url, sites.map((site) => site.url), workload.images));
          for (const site of sites) await site.stop();
        }
        notes.push(describeCopyFloors(floors, rows));
      }
    }
    const noOp = rows.find(
      (row) => row.workload === 'noop' && row.phase === 'warm' && row.tool === 'regatta',
    );
    if (noOp)
      notes.push(`The no-op run over ${noOpTags} tags took ${noOp.seconds.toFixed(1)} s (target ≤ 20 s).`);
    for (const [name, floors] of headFloors)
      notes.push(
        `The warm run's requests alone over ${floors[0]!.tags.toLocaleString('en')} tags (${name}), on the same registries (a manifest HEAD of every tag at HQ and at the site together, from a bare undici client, HQ not through the proxy): ${describeHeadFloors(floors, cpus().length)}.`,
      );

    if (regatta && only.has('big')) {
      // One 256 MiB layer to three sites, for the process's peak memory while it moves.
      const big = await pushImages(hqServer, 'big', 1, [256 * MiB]);
      const bigSites = await startSites(3);
      const bigPolicy = await createPolicy(regatta, 'big', hq, bigSites);
      beginWorkload();
      const before = proxy.counts.bytesFromUpstream;
      const bigSeconds = await timeRun(regatta, bigPolicy, 'big');
      notes.push(
        `One image with a 256 MiB layer → 3 sites: ${bigSeconds.toFixed(1)} s, HQ egress ${((proxy.counts.bytesFromUpstream - before) / big.uniqueBytes).toFixed(2)}× the unique bytes.`,
      );
      readPeaks('256 MiB layer');
    }
    if (regatta) {
      readPeaks();
      benchPeaks = [...wholePeaks];
      if (split && regatta.temporalPid) temporalPeak = peakRssMiB(regatta.temporalPid);
      for (const [name, peaks] of rssAfter)
        notes.push(
          split
            ? `${name} peak RSS (MiB) at start-up, then in each of its workloads (the peak is reset as each begins; in brackets the resident set then, which the peak cannot go below): ${peaks.join(', ')}.`
            : `The Regatta process's peak RSS (MiB) after each of its workloads, in order: ${peaks.join(', ')}.`,
        );
    }

    // The uplink shape: HQ in a network namespace behind 100 Mbit/s, every tool on the host.
    if (only.has('uplink')) {
      const uplink = createUplink(100);
      cleanups.push(() => uplink.remove());
      const farHq = await startHqRegistry(folder('far-hq'), uplink.hqAddress, 5000, uplink.namespace);
      cleanups.push(() => farHq.stop());
      const far = await pushImages(farHq, 'uplink', 20, Array<number>(5).fill(MiB));
      const uplinkWorkload: Workload = {
        name: 'uplink',
        hq: { host: farHq.host, url: farHq.url },
        ...far,
        sites: 3,
        peers: ['regsync', 'crane', 'skopeo'],
        egress: false,
      };
      for (const tool of ['regatta', ...uplinkWorkload.peers] as Tool[])
        if (tools.has(tool)) await measure(uplinkWorkload, tool);
      const crossOnce = far.uniqueBytes / (100e6 / 8);
      const crossing = await measureCrossing(farHq.url, far.blobs, 8);
      const regattaUplink = rows.find(
        (row) => row.workload === 'uplink' && row.tool === 'regatta' && row.phase === 'cold',
      );
      if (regattaUplink)
        notes.push(
          `Uplink: the unique bytes (${(far.uniqueBytes / MiB).toFixed(0)} MiB) need ${crossOnce.toFixed(2)} s to cross 100 Mbit/s once; Regatta's cold run took ${(regattaUplink.seconds / crossOnce).toFixed(2)}× that (target ≤ 1.10×).`,
          `Uplink floor: every unique blob (configs too, ${(crossing.bytes / MiB).toFixed(1)} MiB) read once across the same link by a bare undici client, ${crossing.lanes} at once, written nowhere: ${crossing.seconds.toFixed(2)} s (TCP's headers and framing ride the link too), ${(crossing.seconds / crossOnce).toFixed(2)}× the figure above; Regatta's cold run took ${(regattaUplink.seconds / crossing.seconds).toFixed(2)}× the floor.`,
        );
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
  report(rows, notes, benchPeaks, temporalPeak);
}

/** The small run's floors as a note, beside each tool's cold run. */
function describeCopyFloors(floors: readonly CopyFloor[], rows: readonly Row[]): string {
  const floor = median(floors.map(({ seconds }) => seconds));
  const [first] = floors;
  const cold = rows
    .filter((row) => row.workload === 'small' && row.phase === 'cold')
    .map((row) => `${row.tool} ${(row.seconds / floor).toFixed(2)}×`);
  return `Small run's floor: its copies alone (${first!.images} images to ${first!.sites} fresh sites) by a bare undici client, ${first!.requests} requests (at HQ each manifest and blob read once; at each site the manifest's HEAD, each blob's HEAD, POST and PUT, the manifest's PUT), everything that can overlap at once, HQ not through the proxy: ${floor.toFixed(2)} s, the median of ${floors.length} rounds on fresh sites (${floors.map(({ seconds, registryCpuSeconds }) => `${seconds.toFixed(2)} s, the registries' CPU ${registryCpuSeconds.toFixed(2)} s`).join('; ')}). Each tool's cold run beside it: ${cold.join(', ')}.`;
}

const workloadTitles: Record<string, string> = {
  fanout: '20 images × 5 × 2 MiB → 3 sites',
  uplink: '20 × 5 × 1 MiB → 3 sites, HQ behind 100 Mbit/s',
  tags: '2,000 tags (10 repos × 200) of one small image → 1 site',
  noop: `${noOpTags.toLocaleString('en')} tags (10 repos) of one small image → 1 site; warm is the no-op run`,
  small: '3 images × 2 × 100 kB → 3 sites',
};

/** `benchPeaks`: each Regatta process's peak RSS over the bench (MiB); split, the Temporal dev server's too. */
function report(rows: Row[], notes: string[], benchPeaks: Array<[string, number]>, temporalMiB?: number) {
  const title = [
    '## The whole system beside its peers',
    split ? ', API and worker apart' : '',
    siteDelayMs ? `, sites ${2 * siteDelayMs} ms away` : '',
    process.env.BENCH_ONLY ? `: ${[...only].join(', ')} only` : '',
  ].join('');
  const order: Tool[] = ['regatta', 'regsync', 'crane', 'skopeo'];
  const nodeOptions = process.env.BENCH_NODE_OPTIONS
    ? `, Node with \`${process.env.BENCH_NODE_OPTIONS}\``
    : '';
  const asBuilt = image ? `, compiled, with the image's settings (\`${imageSettings}\`)` : '';
  const regattaAs = split
    ? `Regatta as production runs it (BENCH_SPLIT=1): a Temporal dev server, \`regatta api\` and \`regatta worker\`, three processes on one data folder${asBuilt}${nodeOptions}`
    : `Regatta as a user runs it: \`regatta dev\` (Temporal dev server, API and worker)${asBuilt}${nodeOptions}`;
  const lines = [
    title,
    '',
    `Written by \`npm run bench:peers\` (bench/peers.ts). ${regattaAs}, registries and a policy over the API, a manual run timed from POST to Succeed. Peers as their users run them: regsync 0.11.7 (\`once\`, parallel 8), crane 0.22.1 (\`copy\`, 8 at once), skopeo (\`sync --src yaml\`, the sites at once). Distribution 2.8${blobDescriptorCache ? ' with its packaged in-memory blob descriptor cache' : ''}, loopback unless said${siteDelayMs ? ` (the sites a ${2 * siteDelayMs} ms round trip away: BENCH_SITE_DELAY_MS=${siteDelayMs}, a proxy holding each way's bytes ${siteDelayMs} ms)` : ''}; fresh sites for every tool; HQ read through a counting proxy. ${warmRuns > 1 ? `Cold: one run; warm: the median of ${warmRuns} runs, every tool alike (a process's peak memory is over its whole life, so it grows with the runs)` : 'One run'} on one 2-core machine: figures, not assertions.`,
    '',
    '| workload | phase | regatta (s) | regsync (s) | crane (s) | skopeo (s) | best peer / Regatta | HQ egress (Regatta, peers) |',
    '|---|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const workload of Object.keys(workloadTitles))
    for (const phase of ['cold', 'warm'] as const) {
      const of = (tool: Tool) =>
        rows.find((row) => row.workload === workload && row.phase === phase && row.tool === tool);
      if (!of('regatta') && !order.some((tool) => of(tool))) continue;
      const peers = order.slice(1).flatMap((tool) => (of(tool) ? [of(tool)!.seconds] : []));
      const best = peers.length ? Math.min(...peers) : undefined;
      const ratio = best && of('regatta') ? `${(best / of('regatta')!.seconds).toFixed(2)}×` : '–';
      const egress = order
        .flatMap((tool) => (of(tool)?.hqRatio !== undefined ? [`${of(tool)!.hqRatio!.toFixed(2)}×`] : []))
        .join(', ');
      lines.push(
        `| ${workloadTitles[workload]} | ${phase} | ${order.map((tool) => of(tool)?.seconds.toFixed(2) ?? '–').join(' | ')} | ${ratio} | ${egress || '–'} |`,
      );
    }
  lines.push(
    '',
    '"best peer / Regatta" above 1 means Regatta was faster than every peer.',
    `1-minute load average when the bench began and ended: ${loadAtStart}, ${loadAverages()[0]} (on ${cpus().length} cores: above that, other work shared the machine).`,
    '',
    ...notes.map((note) => `- ${note}`),
  );
  if (split && benchPeaks.length)
    lines.push(
      `- Peak RSS over the whole bench: ${benchPeaks.map(([name, mib]) => `${name} ${mib.toFixed(0)} MiB`).join(', ')}${temporalMiB ? `; the Temporal dev server ${temporalMiB.toFixed(0)} MiB` : ''}.`,
    );
  else if (benchPeaks.length)
    lines.push(
      `- Peak RSS of the \`regatta dev\` process (API and worker together) over the whole bench: ${benchPeaks[0]![1].toFixed(0)} MiB.`,
    );
  console.log(lines.join('\n'));
  // A profiled run is slower than a plain one: its figures are not the bench's.
  if (profileDir) return;
  // A subset of the workloads, or the split layout, has a section of its own beside the whole bench's latest.
  const subset = `${siteDelayMs ? `-sites-${2 * siteDelayMs}ms` : ''}${process.env.BENCH_ONLY ? `-${[...only].join('-')}` : ''}`;
  writeDocSection(`peers${split ? '-split' : ''}${subset}`, lines.join('\n'));
}

await main();
