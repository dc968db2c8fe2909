// The child process of bundleWorkflowsApart: bundles Regatta's workflows into the file named by
// its one argument, then exits, taking the bundler's memory with it.
import { writeFileSync } from 'node:fs';
import { DefaultLogger } from '@temporalio/worker';
import { bundleWorkflows } from './create-worker.js';

const file = process.argv[2];
if (!file) throw new TypeError('usage: write-workflow-bundle <file>');
// Webpack's report of every module is not for the worker's log; its errors are.
const { code } = await bundleWorkflows(undefined, new DefaultLogger('WARN'));
// A few characters beyond Latin-1 (a dash in a comment) make V8 keep the whole bundle, some 4 MB
// with its source map, in two bytes a character, in the worker's thread and in every workflow
// thread; escaped (the same string, regular expression or comment in JavaScript) it takes one.
writeFileSync(
  file,
  code.replace(/[\u0100-\uffff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`),
);
