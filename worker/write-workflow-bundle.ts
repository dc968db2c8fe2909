// The child process of bundleWorkflowsApart: bundles Regatta's workflows (or the entry file of its
// second argument) into the file named by its first, then exits, taking the bundler's memory with
// it. The file holds the bundle and what it was made from (a MadeBundle), for the bundle cache.
import { writeFileSync } from 'node:fs';
import { DefaultLogger } from '@temporalio/worker';
import { bundleWorkflows, type BundleDependencies, workflowsPath } from './create-worker.js';
import { type MadeBundle, recordInputs } from './workflow-bundle-cache.js';

const [file, entry = workflowsPath] = process.argv.slice(2);
if (!file) throw new TypeError('usage: write-workflow-bundle <file> [workflows entry]');
const startedAt = Date.now();
let dependencies = undefined as BundleDependencies | undefined;
// Webpack's report of every module is not for the worker's log; its errors are.
const { code } = await bundleWorkflows(entry, new DefaultLogger('WARN'), (found) => (dependencies = found));
const made: MadeBundle = {
  // A few characters beyond Latin-1 (a dash in a comment) make V8 keep the whole bundle, some 4 MB
  // with its source map, in two bytes a character, in the worker's thread and in every workflow
  // thread; escaped (the same string, regular expression or comment in JavaScript) it takes one.
  code: code.replace(/[\u0100-\uffff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`),
  inputs: dependencies && recordInputs(entry, dependencies, startedAt),
};
writeFileSync(file, JSON.stringify(made));
