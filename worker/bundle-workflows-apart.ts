import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowBundle } from '@temporalio/worker';
import { workflowsPath } from './create-worker.js';
import { cachedWorkflowBundle, checkoutCacheDir, MadeBundle } from './workflow-bundle-cache.js';

const moduleExtension = extname(fileURLToPath(import.meta.url));
const writer = fileURLToPath(new URL(`./write-workflow-bundle${moduleExtension}`, import.meta.url));

/**
 * Regatta's workflows bundled in a child process: the bundler (webpack) holds some 150 MiB while
 * it works and keeps part of it, which would otherwise stay in the worker's process for good.
 * Run from a checkout (TypeScript through tsx), the bundle is kept in the checkout's
 * node_modules/.cache and reused while every file it was made from is unchanged; the build
 * (`dist`) bundles at every start. `entry` and `cacheDir` are for tests.
 */
export async function bundleWorkflowsApart(
  options: { entry?: string; cacheDir?: string } = {},
): Promise<WorkflowBundle> {
  const entry = options.entry ?? workflowsPath;
  if (moduleExtension !== '.ts') return { code: (await bundleInChild(entry)).code };
  const cached = await cachedWorkflowBundle(options.cacheDir ?? checkoutCacheDir, entry, () =>
    bundleInChild(entry),
  );
  return cached.bundle;
}

/**
 * Bundles `entry` in a child process. The child runs with this process's Node options, so a
 * checkout's TypeScript loader comes along; when this process registered tsx from code
 * (`bin/regatta.js` in a checkout), the child is given tsx's loader as an option.
 */
export async function bundleInChild(entry: string): Promise<MadeBundle> {
  const dir = mkdtempSync(join(tmpdir(), 'regatta-workflows-'));
  try {
    const file = join(dir, 'workflows.json');
    const child = spawn(process.execPath, [...childOptions(), writer, file, entry], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    if (code !== 0) throw new Error(`bundling the workflows failed (${signal ?? `exit ${code}`})`);
    return MadeBundle.parse(JSON.parse(readFileSync(file, 'utf8')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Options about code given on the command line (`node -e …`): the child would run that code
 * again, not the bundler (a worker started so would start itself without end).
 */
const evaluating = new Set(['-e', '--eval', '-p', '--print', '--input-type']);

/** This process's Node options for the bundling child, without those about code given on the command line. */
export function bundlerNodeOptions(execArgv: readonly string[]): string[] {
  return execArgv.filter(
    (option, index) =>
      !evaluating.has(option) &&
      !evaluating.has(execArgv[index - 1] ?? '') &&
      !/^--(eval|print|input-type)=/.test(option),
  );
}

function childOptions(): string[] {
  const options = bundlerNodeOptions(process.execArgv);
  if (moduleExtension === '.ts' && !options.some((option) => option.includes('tsx')))
    options.push('--import', import.meta.resolve('tsx'));
  return options;
}
