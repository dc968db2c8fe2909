import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { devServerArgs } from '../../temporal/dev-server.js';

/** The values following each occurrence of `flag`. */
const valuesOf = (args: string[], flag: string) =>
  args.flatMap((arg, index) => (arg === flag ? [args[index + 1]] : []));

describe('devServerArgs – how `regatta dev` and the test bed start Temporal', () => {
  const cases = [
    {
      name: 'in memory: headless, no file, no SQLite pragma',
      options: { port: 7233 },
      headless: true,
      flags: { '--db-filename': [], '--sqlite-pragma': [] },
    },
    {
      name: 'a file: WAL, synced at checkpoints',
      options: { port: 7233, dbFile: '/data/temporal.db' },
      headless: true,
      flags: {
        '--db-filename': ['/data/temporal.db'],
        '--sqlite-pragma': ['journal_mode=wal', 'synchronous=normal'],
      },
    },
    {
      name: 'a UI, a namespace of its own, a search attribute',
      options: {
        port: 7233,
        uiPort: 8233,
        namespace: 'regatta',
        searchAttributes: [{ name: 'RegattaPolicyId', type: 'INT' as const }],
      },
      headless: false,
      flags: {
        '--ui-port': ['8233'],
        '--namespace': ['regatta'],
        '--search-attribute': ['RegattaPolicyId=Int'],
      },
    },
  ];
  for (const { name, options, headless, flags } of cases) {
    it(name, () => {
      const args = devServerArgs(options);
      assert.deepEqual(args.slice(0, 2), ['server', 'start-dev']);
      assert.equal(args.includes('--headless'), headless);
      for (const [flag, values] of Object.entries(flags))
        assert.deepEqual(valuesOf(args, flag), values, flag);
      // Every server writes Regatta's task queue to one partition.
      assert.deepEqual(valuesOf(args, '--dynamic-config-value'), ['matching.numTaskqueueWritePartitions=1']);
    });
  }
});
