// Regatta's pure modules (contract, policies, oci, errors) are loaded once per workflow thread and
// shared by its workflows (workflows/pure-modules.ts), on the dev server with a real worker.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { taskQueue } from '../../contract/index.js';
import { bundleWorkflowsApart } from '../../worker/bundle-workflows-apart.js';
import { temporalForSuite } from '../harness/suite-temporal.js';
import type { pureModules } from '../fixtures/pure-modules-workflow.js';

const entry = fileURLToPath(new URL('../fixtures/pure-modules-workflow.ts', import.meta.url));

describe('pure modules in the workflow sandbox', () => {
  const suite = temporalForSuite();

  it('shared: their data frozen, their schemas parsing and refusing in one workflow after another', async () => {
    const workflowBundle = await bundleWorkflowsApart({ entry });
    const run = (candidate: unknown) =>
      suite.client.workflow.execute<typeof pureModules>('pureModules', {
        taskQueue,
        workflowId: `pure-modules-${randomUUID()}`,
        args: [candidate],
      });
    const answers = await suite.withWorker(
      { activities: {}, workflowBundle, activityConcurrency: 1, workflowConcurrency: 2 },
      async () => [
        await run({ repository: 'library/nginx', tag: '1.27' }),
        await run({ repository: 42 }),
        await run({ repository: 'library/redis', digest: `sha256:${'a'.repeat(64)}` }),
      ],
    );
    // Modules evaluated per workflow are not frozen; the data of the shared ones is.
    assert.deepEqual(answers, [
      { dataFrozen: true, parsed: true },
      { dataFrozen: true, parsed: false },
      { dataFrozen: true, parsed: true },
    ]);
  });
});
