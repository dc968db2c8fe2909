import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundlerNodeOptions } from '../../worker/bundle-workflows-apart.js';

// The bundling child runs with the worker's Node options; code given on the command line would
// make it run that code again (a worker started with `node -e` would start itself without end).
describe('bundlerNodeOptions – the Node options the bundling child gets', () => {
  const cases: Array<{ name: string; execArgv: string[]; expected: string[] }> = [
    { name: 'none', execArgv: [], expected: [] },
    {
      name: 'a loader and a heap size kept',
      execArgv: ['--import', 'tsx', '--max-old-space-size=512'],
      expected: ['--import', 'tsx', '--max-old-space-size=512'],
    },
    {
      name: '-e and its code dropped',
      execArgv: ['--import', 'tsx', '-e', 'start()'],
      expected: ['--import', 'tsx'],
    },
    {
      name: '--eval= dropped',
      execArgv: ['--eval=start()', '--enable-source-maps'],
      expected: ['--enable-source-maps'],
    },
    { name: '-p and its code dropped', execArgv: ['-p', '1 + 1'], expected: [] },
    {
      name: '--input-type with its value, either form, dropped',
      execArgv: ['--input-type', 'module', '--input-type=module', '-e', 'x'],
      expected: [],
    },
  ];
  for (const { name, execArgv, expected } of cases) {
    it(name, () => assert.deepEqual(bundlerNodeOptions(execArgv), expected));
  }
});
