import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { RegistryClient } from '../../registry/index.js';
import { keepTogether } from '../../registry/copy/keep-together.js';
import { TargetRun } from '../../registry/copy/target-run.js';

const run = (id: string) =>
  new TargetRun(
    { id, client: { registry: `${id}.example` } as RegistryClient, repository: 'p/app' },
    { stallTimeoutMs: 60_000 },
  );

describe('keepTogether', () => {
  // 'held': the step ends only once keepTogether has answered (a straggler).
  const cases: Array<{
    name: string;
    delays: Array<number | 'fail' | 'held'>;
    done: string[];
    late: string[];
  }> = [
    { name: 'all within the grace', delays: [0, 5, 10], done: ['t0', 't1', 't2'], late: [] },
    { name: 'a straggler goes on alone', delays: [0, 5, 'held'], done: ['t0', 't1'], late: ['t2'] },
    { name: 'a failed step is done, without a value', delays: [0, 'fail'], done: ['t0', 't1'], late: [] },
    { name: 'no runs', delays: [], done: [], late: [] },
  ];
  for (const { name, delays, done, late } of cases) {
    it(name, async () => {
      const runs = delays.map((_, index) => run(`t${index}`));
      let answer = () => {};
      const answered = new Promise<void>((resolve) => (answer = resolve));
      const together = await keepTogether(
        runs,
        async (target) => {
          const delay = delays[runs.indexOf(target)]!;
          if (delay === 'fail') throw new Error('refused');
          if (delay === 'held') await answered;
          else await sleep(delay);
          return target.target.id;
        },
        1_000,
      );
      answer();
      assert.deepEqual(
        together.done.map(({ run }) => run.target.id),
        done,
      );
      assert.deepEqual(
        together.late.map(({ run }) => run.target.id),
        late,
      );
      for (const { run, value } of together.done) assert.equal(value, run.failed ? undefined : run.target.id);
      for (const { value } of together.late) assert.equal(await value, 't2');
    });
  }
});
