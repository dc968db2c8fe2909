// The worker of bench/worker-floor.ts, plain JavaScript so that no loader adds to its memory:
// a Temporal TypeScript worker of one trivial workflow and activity, which prints its resident
// set (and its peak) as it starts, after a few runs and after many, one JSON line each.
//
//   node worker-floor-child.mjs <temporal address> <bundle file> <runs>
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';

const [address, bundleFile, runsText] = process.argv.slice(2);
const runs = Number(runsText);
const taskQueue = 'worker-floor';

function report(stage) {
  const status = readFileSync('/proc/self/status', 'utf8');
  const mib = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  process.stdout.write(`${JSON.stringify({ stage, rss: mib('VmRSS'), peak: mib('VmHWM') })}\n`);
}

const workflowBundle = { code: readFileSync(bundleFile, 'utf8') };
report('loaded');
const connection = await NativeConnection.connect({ address });
const worker = await Worker.create({
  connection,
  taskQueue,
  workflowBundle,
  activities: { echo: async (value) => value },
});
report('created');
const client = new Client({ connection: await Connection.connect({ address }) });
const execute = (index) =>
  client.workflow.execute('trivial', {
    taskQueue,
    workflowId: `floor-${process.pid}-${index}`,
    args: [index],
  });
await worker.runUntil(async () => {
  for (let index = 0; index < 10; index++) await execute(index);
  report('10 runs');
  for (let index = 10; index < runs; index++) await execute(index);
  report(`${runs} runs`);
});
await connection.close();
