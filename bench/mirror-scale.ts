// A disaster-recovery mirror at scale, as a user runs it: `regatta dev`, the registries and a
// mirror policy over the API, manual runs timed from POST to Succeed. HQ holds BENCH_TAGS tags
// (default 100,000; a tiny image, each tag its own digest, BENCH_TAGS_PER_REPOSITORY to a
// repository); the mirror runs cold, then warm (a no-op), then HQ deletes a fifth of its tags and
// the mirror prunes them. Each run's largest histories (events and bytes, the run's own and its
// largest page) and the process's peak RSS are read after it. regsync and skopeo sync copy the
// same tags cold and warm on sites of their own; neither prunes. Writes docs/benchmarks.md;
// asserts nothing but that each run succeeds and the site ends with what HQ has. BENCH_SPLIT=1 runs
// Regatta as production does (a Temporal dev server, `regatta api`, `regatta worker`: regatta-dev.ts)
// and reads the worker's and the API's peak RSS apart, into a doc section of its own.
import type { Client } from '@temporalio/client';
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { manifestVariant, pushImage, type PushedImage } from '../test/harness/images.js';
import { rawListTags, rawPushManifest, sha256 } from '../test/harness/raw-client.js';
import { startRegistryServer, type RegistryServer } from '../test/harness/registry-server.js';
import { writeDocSection } from './doc-section.js';
import { ensurePeer, regsyncOnce, skopeoSync } from './peer-tools.js';
import {
  callApi,
  createRegistry,
  idOf,
  peakRssMiB,
  regattaPeaks,
  startRegatta,
  timeRegattaRun,
  type Regatta,
} from './regatta-dev.js';
import { loadAverages } from './load-average.js';
import { scratchFolder } from './scratch-folder.js';

const checkout = resolve(process.env.BENCH_CHECKOUT ?? join(import.meta.dirname, '..'));
const tagCount = Number(process.env.BENCH_TAGS ?? 100_000);
const tagsPerRepository = Number(process.env.BENCH_TAGS_PER_REPOSITORY ?? 50);
const split = process.env.BENCH_SPLIT === '1';
const peers = (process.env.BENCH_PEERS ?? 'regsync,skopeo').split(',').filter(Boolean);
/** Every fifth tag of each repository is deleted at HQ before the prune. */
const pruneEvery = 5;
const runLimitMs = 3 * 3600_000;
const requestsInFlight = 16;
const loadAtStart = loadAverages().join(' ');

interface Seeded {
  repositories: string[];
  /** Every `repository:tag`. */
  images: string[];
  /** The manifest digest of each tag deleted at HQ before the prune, by `repository:tag`. */
  pruned: Map<string, string>;
}

/** Runs `work` over `items`, `requestsInFlight` at a time. */
async function inLanes<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: requestsInFlight }, lane));
}

/** A tiny image per repository, then its tags, each the image's manifest with an annotation of its own. */
async function seed(hq: RegistryServer): Promise<Seeded> {
  const repositoryCount = Math.ceil(tagCount / tagsPerRepository);
  const repositories = Array.from(
    { length: repositoryCount },
    (_, index) => `scale/r-${String(index).padStart(5, '0')}`,
  );
  const bases = new Map<string, PushedImage>();
  await inLanes(repositories, async (repository) =>
    bases.set(repository, await pushImage({ registry: hq }, repository, undefined, { layerSizes: [64] })),
  );
  const tags: Array<{ repository: string; tag: string; index: number }> = [];
  for (const repository of repositories)
    for (let index = 0; index < tagsPerRepository && tags.length < tagCount; index++)
      tags.push({ repository, tag: `t-${String(index).padStart(4, '0')}`, index });
  const pruned = new Map<string, string>();
  await inLanes(tags, async ({ repository, tag, index }) => {
    const base = bases.get(repository)!;
    const manifest = manifestVariant(base, tag);
    await rawPushManifest({ registry: hq }, repository, tag, base.mediaType, manifest);
    if (index % pruneEvery === 0) pruned.set(`${repository}:${tag}`, sha256(manifest));
  });
  return { repositories, images: tags.map(({ repository, tag }) => `${repository}:${tag}`), pruned };
}

/** Deletes at HQ the tags chosen for the prune, as a user removing images would. */
async function deleteAtHq(hq: RegistryServer, pruned: Map<string, string>): Promise<void> {
  await inLanes([...pruned], async ([image, digest]) => {
    const repository = image.slice(0, image.indexOf(':'));
    const response = await request(`${hq.url}/v2/${repository}/manifests/${digest}`, { method: 'DELETE' });
    await response.body.dump();
    if (response.statusCode !== 202) throw new Error(`delete ${image} at HQ: ${response.statusCode}`);
  });
}

async function tagsAt(site: RegistryServer, repositories: readonly string[]): Promise<number> {
  let count = 0;
  await inLanes(repositories, async (repository) => {
    const tags = await rawListTags({ registry: site }, repository);
    count += tags.length;
  });
  return count;
}

interface Histories {
  /** The run's own history. */
  run: { events: number; bytes: number };
  /** The largest of its pages' histories (by bytes). */
  page: { events: number; bytes: number };
  pages: number;
}

/** The sizes Temporal keeps for the run's history and each of its pages' (`<run>/page-<n>`). */
async function histories(client: Client, workflowId: string): Promise<Histories> {
  const sizes: Array<{ id: string; events: number; bytes: number }> = [];
  for await (const workflow of client.workflow.list()) {
    if (workflow.workflowId !== workflowId && !workflow.workflowId.startsWith(`${workflowId}/page-`))
      continue;
    const described = await client.workflow.getHandle(workflow.workflowId).describe();
    sizes.push({
      id: workflow.workflowId,
      events: described.historyLength,
      bytes: Number(described.raw.workflowExecutionInfo?.historySizeBytes ?? 0),
    });
  }
  const run = sizes.find((size) => size.id === workflowId)!;
  const pages = sizes.filter((size) => size !== run);
  const page = pages.reduce((largest, next) => (next.bytes > largest.bytes ? next : largest), {
    events: 0,
    bytes: 0,
  });
  return { run, page: { events: page.events, bytes: page.bytes }, pages: pages.length };
}

/** Peak RSS (MiB) of Regatta's processes (`regatta dev`, or the worker and the API) and of the Temporal dev server. */
function peaks(regatta: Regatta): Phase['rss'] {
  return {
    regatta: regattaPeaks(regatta),
    temporal: regatta.temporalPid ? peakRssMiB(regatta.temporalPid) : 0,
  };
}

interface Phase {
  name: string;
  seconds: number;
  statusText: string;
  histories: Histories;
  rss: { regatta: Array<{ process: string; mib: number }>; temporal: number };
}

async function main() {
  const { dir, folder } = scratchFolder('regatta-bench-mirror-');
  const stops: Array<() => Promise<void>> = [];
  const phases: Phase[] = [];
  const peerRows: Array<{ tool: string; cold: number; warm: number }> = [];
  const notes: string[] = [];
  try {
    for (const peer of peers) if (peer === 'regsync') await ensurePeer(peer);
    const hq = await startRegistryServer({ name: 'hq', dir: folder('hq') });
    stops.push(() => hq.stop());
    const seedStarted = performance.now();
    const seeded = await seed(hq);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    console.log(`seeded ${seeded.images.length} tags in ${seedSeconds.toFixed(0)} s`);

    const dr = await startRegistryServer({ name: 'dr', dir: folder('dr') });
    stops.push(() => dr.stop());
    const regatta = await startRegatta(folder('regatta'), checkout, { split });
    stops.push(() => regatta.stop());
    const created = await callApi(regatta, 'POST', '/replication/policies', {
      name: 'scale-mirror',
      src_registry: { id: await createRegistry(regatta, 'hq', hq.url) },
      dest_registry: { id: await createRegistry(regatta, 'dr', dr.url) },
      filters: [{ type: 'name', value: 'scale/**' }],
      trigger: { type: 'manual' },
      mirror: { prune: true, max_delete_ratio: 0.25, max_delete_ratio_per_repository: 0.25 },
    });
    const policyId = idOf(created.location);
    const phase = async (name: string) => {
      const timed = await timeRegattaRun(regatta, policyId, runLimitMs);
      const measured = {
        name,
        seconds: timed.seconds,
        statusText: timed.statusText,
        histories: await histories(regatta.temporal, timed.workflowId),
        rss: peaks(regatta),
      };
      phases.push(measured);
      console.log(JSON.stringify(measured));
    };
    await phase('cold copy');
    await phase('warm no-op');

    for (const tool of peers) {
      const site = await startRegistryServer({ name: `${tool}-site`, dir: folder(`${tool}-site`) });
      const sync = async () => {
        const started = performance.now();
        if (tool === 'regsync') await regsyncOnce(folder(tool), hq.host, [site.host], seeded.repositories);
        else await skopeoSync(folder(tool), hq.host, [site.host], seeded.images);
        return (performance.now() - started) / 1000;
      };
      const cold = await sync();
      const warm = await sync();
      peerRows.push({ tool, cold, warm });
      console.log(`${tool}: cold ${cold.toFixed(1)} s, warm ${warm.toFixed(1)} s`);
      await site.stop();
    }

    const deleteStarted = performance.now();
    await deleteAtHq(hq, seeded.pruned);
    const deleteSeconds = (performance.now() - deleteStarted) / 1000;
    await phase(`prune of ${seeded.pruned.size}`);
    const left = await tagsAt(dr, seeded.repositories);
    const expected = seeded.images.length - seeded.pruned.size;
    if (left !== expected) throw new Error(`the site holds ${left} tags after the prune, HQ ${expected}`);
    notes.push(
      `Seeding HQ took ${seedSeconds.toFixed(0)} s (${seeded.repositories.length} repositories); deleting ${seeded.pruned.size} tags at HQ with 16 DELETEs at a time took ${deleteSeconds.toFixed(0)} s. After the prune the site holds ${left} tags, as HQ does.`,
    );
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  report(phases, peerRows, notes);
}

const kib = (bytes: number) => (bytes / 1024).toFixed(0);

function report(
  phases: Phase[],
  peerRows: Array<{ tool: string; cold: number; warm: number }>,
  notes: string[],
) {
  const cold = phases[0];
  const perPage = cold && cold.histories.pages > 0 ? cold.histories.run.bytes / cold.histories.pages : 0;
  const eventsPerPage =
    cold && cold.histories.pages > 0 ? cold.histories.run.events / cold.histories.pages : 0;
  const rssColumns = cold?.rss.regatta.map((peak) => peak.process) ?? ['regatta dev'];
  const lines = [
    `## Mirror at scale: ${tagCount.toLocaleString('en')} tags${split ? ', API and worker apart' : ''}`,
    '',
    `Written by \`npm run bench:mirror-scale\` (bench/mirror-scale.ts; BENCH_TAGS sets the count). ${split ? 'Regatta as production runs it (BENCH_SPLIT=1): a Temporal dev server, `regatta api` and `regatta worker`, three processes on one data folder' : 'Regatta as a user runs it: `regatta dev` (Temporal dev server, API and worker in one process)'}, registries and a mirror policy (\`max_delete_ratio\` and \`max_delete_ratio_per_repository\` 0.25) over the API, each manual run timed from POST to Succeed. HQ (Distribution 2.8, loopback) holds ${tagCount.toLocaleString('en')} tags, ${tagsPerRepository} to a repository, each tag its own digest over one tiny image per repository; one site. Then HQ deletes every ${pruneEvery}th tag of each repository and the mirror prunes them. One run on one ${cpus().length}-core machine (its load below): figures, not assertions.`,
    '',
    `| run | wall (s) | run history: events / KiB | largest page history: events / KiB | pages | ${rssColumns.map((process) => `${process} peak RSS (MiB) | `).join('')}Temporal dev server peak RSS (MiB) |`,
    `|---|---:|---:|---:|---:|${rssColumns.map(() => '---:|').join('')}---:|`,
    ...phases.map(
      (phase) =>
        `| ${phase.name} | ${phase.seconds.toFixed(1)} | ${phase.histories.run.events} / ${kib(phase.histories.run.bytes)} | ${phase.histories.page.events} / ${kib(phase.histories.page.bytes)} | ${phase.histories.pages} | ${phase.rss.regatta.map((peak) => `${peak.mib.toFixed(0)} | `).join('')}${phase.rss.temporal.toFixed(0)} |`,
    ),
    '',
    ...phases.map((phase) => `- ${phase.name}: ${phase.statusText}.`),
    `- A page (at most 500 artifacts, or 500 deletions read from the store) keeps its history bounded whatever the count; the run's own grows by about ${eventsPerPage.toFixed(1)} events and ${kib(perPage)} KiB a page, ${cold && cold.histories.pages >= 200 ? `so a run over ${tagCount.toLocaleString('en')} tags holds ${cold.histories.run.events} events and ${(cold.histories.run.bytes / 1048576).toFixed(1)} MiB` : `so a run over 100,000 tags (200 pages) would hold about ${(eventsPerPage * 200).toFixed(0)} events and ${((perPage * 200) / 1048576).toFixed(1)} MiB`} (Temporal's limits: 51,200 events, 50 MiB).`,
    ...notes.map((note) => `- ${note}`),
  ];
  if (!peers.includes('skopeo'))
    lines.push(
      '- skopeo sync was left out (BENCH_PEERS): its no-op run costs about what its copy does (see "A run over 10000 tags").',
    );
  if (peerRows.length > 0) {
    const [copy, noOp, prune] = phases;
    lines.push(
      '',
      '| tool | cold copy (s) | warm no-op (s) | prune |',
      '|---|---:|---:|---|',
      `| regatta | ${copy?.seconds.toFixed(1) ?? '–'} | ${noOp?.seconds.toFixed(1) ?? '–'} | ${prune ? `${prune.seconds.toFixed(1)} s` : '–'} |`,
      ...peerRows.map(
        (row) =>
          `| ${row.tool === 'regsync' ? 'regsync 0.11.7 (`once`, parallel 8)' : 'skopeo sync (yaml, every tag)'} | ${row.cold.toFixed(1)} | ${row.warm.toFixed(1)} | none: it copies, never deletes at the target |`,
      ),
    );
  }
  lines.push(
    '',
    `1-minute, 5-minute and 15-minute load average when the bench began: ${loadAtStart}; when it ended: ${loadAverages().join(' ')} (on ${cpus().length} cores: above that, other work shared the machine).`,
  );
  writeDocSection(split ? 'mirror-scale-split' : 'mirror-scale', lines.join('\n'));
  console.log(lines.join('\n'));
}

await main();
