// `npm run bench:floor`: the memory floor under Regatta's worker. A Temporal TypeScript worker of
// one trivial workflow and activity (worker-floor-child.mjs), on the same Node, SDK and malloc
// setting as the image (MALLOC_ARENA_MAX=2 unless set), against a Temporal dev server: its
// resident set once created, after 10 runs and after BENCH_FLOOR_RUNS (1,000). Written to
// docs/benchmarks.md beside the worker's own figures (bench:peers with BENCH_SPLIT=1).
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { connectToTemporal } from '../temporal/connect.js';
import { startDevServer } from '../temporal/dev-server.js';
import { findTemporalCli } from '../temporal/find-temporal-cli.js';
import { freePort } from '../test/harness/free-port.js';
import { writeDocSection } from './doc-section.js';
import { scratchFolder } from './scratch-folder.js';

const runs = Number(process.env.BENCH_FLOOR_RUNS ?? 1000);
const mallocArenas = process.env.MALLOC_ARENA_MAX ?? '2';
const sdkVersion = (
  JSON.parse(
    readFileSync(
      join(import.meta.dirname, '..', 'node_modules', '@temporalio', 'worker', 'package.json'),
      'utf8',
    ),
  ) as { version: string }
).version;

interface Stage {
  stage: string;
  rss: number;
  peak: number;
}

async function main() {
  const { dir } = scratchFolder('regatta-floor-');
  const server = startDevServer({ cli: findTemporalCli(process.env.TEMPORAL_CLI), port: await freePort() });
  try {
    await (await connectToTemporal({ address: server.address, timeoutMs: 60_000 })).close();
    const { code } = await bundleWorkflowCode({
      workflowsPath: join(import.meta.dirname, 'worker-floor-workflow.ts'),
      logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
    });
    const bundleFile = join(dir, 'bundle.js');
    writeFileSync(bundleFile, code);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(import.meta.dirname, 'worker-floor-child.mjs'), server.address, bundleFile, String(runs)],
      { env: { ...process.env, MALLOC_ARENA_MAX: mallocArenas }, timeout: 10 * 60_000 },
    );
    const stages = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Stage);
    const lines = stages.map(
      ({ stage, rss, peak }) => `| ${stage} | ${rss.toFixed(0)} | ${peak.toFixed(0)} |`,
    );
    const markdown = [
      '## The memory floor: a trivial Temporal TypeScript worker (`npm run bench:floor`)',
      '',
      `A worker of one trivial workflow and activity, nothing of Regatta's in it, on Node ${process.version} with @temporalio/worker ${sdkVersion} and MALLOC_ARENA_MAX=${mallocArenas}, against a Temporal dev server; one workflow at a time.`,
      '',
      '| stage | resident (MiB) | peak so far (MiB) |',
      '|---|---:|---:|',
      ...lines,
    ].join('\n');
    console.log(markdown);
    writeDocSection('worker-floor', markdown);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
