// Loaded with `--import` into the `regatta dev` process (split: `regatta worker`) by
// bench/peers.ts under BENCH_PROFILE, in the main thread and in every worker thread (Temporal's
// workflow threads): samples each thread's memory into BENCH_PROFILE_DIR/memory.ndjson, and obeys
// BENCH_PROFILE_DIR/control, which the bench writes around the run it profiles: `start <label>`
// starts a CPU profile in every thread, `stop` writes them (<label>-<thread>.cpuprofile),
// `heap <label>` writes a heap snapshot of every thread.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { threadId } from 'node:worker_threads';

const dir = process.env.BENCH_PROFILE_DIR;
if (dir) {
  const control = join(dir, 'control');
  let seen = '';
  let session: Session | undefined;
  let label = '';
  const obey = async (command: string) => {
    const [verb, name = 'run'] = command.split(' ');
    if (verb === 'start' && !session) {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 500 });
      await session.post('Profiler.start');
      label = name;
    } else if (verb === 'stop' && session) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(join(dir, `${label}-thread${threadId}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
      session = undefined;
    } else if (verb === 'heap') {
      writeHeapSnapshot(join(dir, `${name}-thread${threadId}.heapsnapshot`));
    }
  };
  setInterval(() => {
    const memory = process.memoryUsage();
    const heap = getHeapStatistics();
    appendFileSync(
      join(dir, 'memory.ndjson'),
      `${JSON.stringify({ t: Date.now(), pid: process.pid, thread: threadId, rss: memory.rss, heapUsed: heap.used_heap_size, heapTotal: heap.total_heap_size, external: memory.external, arrayBuffers: memory.arrayBuffers })}\n`,
    );
    const command = existsSync(control) ? readFileSync(control, 'utf8').trim() : '';
    if (command && command !== seen) {
      seen = command;
      obey(command.replace(/^\d+ /, '')).catch((error: unknown) => console.error('profile hook:', error));
    }
  }, 500).unref();
}
