import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowBundle } from '@temporalio/worker';

const moduleExtension = extname(fileURLToPath(import.meta.url));
const writer = fileURLToPath(new URL(`./write-workflow-bundle${moduleExtension}`, import.meta.url));

/**
 * Regatta's workflows bundled in a child process: the bundler (webpack) holds some 150 MiB while
 * it works and keeps part of it, which would otherwise stay in the worker's process for good.
 * The child runs with this process's Node options, so a checkout's TypeScript loader comes along;
 * when this process registered tsx from code (`bin/regatta.js` in a checkout), the child is given
 * tsx's loader as an option.
 */
export async function bundleWorkflowsApart(): Promise<WorkflowBundle> {
  const dir = mkdtempSync(join(tmpdir(), 'regatta-workflows-'));
  try {
    const file = join(dir, 'workflows.js');
    const child = spawn(process.execPath, [...childOptions(), writer, file], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    if (code !== 0) throw new Error(`bundling the workflows failed (${signal ?? `exit ${code}`})`);
    return { code: readFileSync(file, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function childOptions(): string[] {
  const options = [...process.execArgv];
  if (moduleExtension === '.ts' && !options.some((option) => option.includes('tsx')))
    options.push('--import', import.meta.resolve('tsx'));
  return options;
}
