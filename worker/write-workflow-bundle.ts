// The child process of bundleWorkflowsApart: bundles Regatta's workflows into the file named by
// its one argument, then exits, taking the bundler's memory with it.
import { writeFileSync } from 'node:fs';
import { DefaultLogger } from '@temporalio/worker';
import { bundleWorkflows } from './create-worker.js';

const file = process.argv[2];
if (!file) throw new TypeError('usage: write-workflow-bundle <file>');
// Webpack's report of every module is not for the worker's log; its errors are.
writeFileSync(file, (await bundleWorkflows(undefined, new DefaultLogger('WARN'))).code);
