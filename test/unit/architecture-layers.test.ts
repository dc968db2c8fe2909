import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { pureFolders } from '../../contract/index.js';
import { layerConfig, workflowFolders } from '../../eslint/layers.js';

// The layers as lint holds them (eslint/layers.js, the same entries eslint.config.js uses), on
// planted imports: each allowed one passes, each violation is an error naming the rule.
const eslint = new ESLint({
  overrideConfigFile: true,
  overrideConfig: [
    { files: ['**/*.ts', '**/*.tsx'], languageOptions: { parser: tseslint.parser } },
    ...layerConfig,
  ],
});

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}

describe('architecture layers', () => {
  const refused: Array<[string, string, RegExp]> = [
    ['registry/x.ts', "import { openStore } from '../store/index.js';", /registry\/ may not import store\//],
    [
      'registry/copy/x.ts',
      "import { matchesFilters } from '../../policies/index.js';",
      /may not import policies\//,
    ],
    [
      'policies/x.ts',
      "import { createRegistryClient } from '../registry/index.js';",
      /policies\/ may not import registry\//,
    ],
    ['policies/x.ts', "import { request } from 'undici';", /policies\/ may not import undici/],
    ['policies/x.ts', "import { readFile } from 'node:fs/promises';", /may not import node:fs/],
    [
      'workflows/x.ts',
      "import type { Store } from '../store/index.js';",
      /workflows\/ may not import store\//,
    ],
    [
      'workflows/x.ts',
      "import type { RegistryClients } from '../activities/registry-clients.js';",
      /may not import activities\//,
    ],
    [
      'workflows/x.ts',
      "import { connectToTemporal } from '../temporal/connect.js';",
      /may not import temporal\//,
    ],
    ['workflows/x.ts', "import { Client } from '@temporalio/client';", /may not import @temporalio\/client/],
    ['contract/x.ts', "import { pino } from 'pino';", /contract\/ may not import pino/],
    [
      'api/registry-routes.ts',
      "import { openStore } from '../store/index.js';",
      /api\/ may not import store\//,
    ],
    ['api/execution-routes.ts', "import { Client } from '@temporalio/client';", /go through service/],
    [
      'api/webhooks/webhook-routes.ts',
      "import type { Store } from '../../store/index.js';",
      /may not import store\//,
    ],
    ['temporal/connect.ts', "import { createApp } from '../api/app.js';", /temporal\/ may not import api\//],
    [
      'temporal/connect.ts',
      "import type { Store } from '../store/index.js';",
      /temporal\/ may not import store\//,
    ],
    [
      'temporal/dev-server.ts',
      "import { createReplicationService } from '../service/index.js';",
      /may not import service\//,
    ],
    [
      'worker/x.ts',
      "import type { Environment } from '../server/environment.js';",
      /worker\/ may not import server\//,
    ],
    [
      'cli/commands/x.ts',
      "import { startApi } from '../../server/start-api.js';",
      /cli\/commands\/ may not import server\//,
    ],
    [
      'store/x.ts',
      "import { createRegistryClient } from '../registry/index.js';",
      /store\/ may not import registry\//,
    ],
    ['console/x.tsx', "import { openStore } from '../store/index.js';", /console\/ may not import store\//],
    ['console/x.ts', "import { Client } from '@temporalio/client';", /go through service/],
    ['console/views/x.tsx', "import { apiBase } from '../../api/app.js';", /console\/ may not import api\//],
    [
      'notifications/x.ts',
      "import type { Store } from '../store/index.js';",
      /notifications\/ may not import store\//,
    ],
    [
      'workflows/x.ts',
      "import { postNotification } from '../notifications/index.js';",
      /workflows\/ may not import notifications\//,
    ],
    [
      'api/x.ts',
      "import { slackBody } from '../notifications/index.js';",
      /api\/ may not import notifications\//,
    ],
  ];
  for (const [file, code, expected] of refused) {
    it(`refuses – ${file}: ${code}`, async () => {
      const found = await problems(file, code);
      assert.ok(
        found.some((problem) => problem.startsWith('regatta/layers: ') && expected.test(problem)),
        found.join('\n') || 'no problem reported',
      );
    });
  }

  const allowed: Array<[string, string]> = [
    ['registry/x.ts', "import { isDigest } from '../oci/index.js';"],
    ['policies/x.ts', "import { Minimatch } from 'minimatch';"],
    ['workflows/x.ts', "import type { ReplicationActivities } from '../contract/index.js';"],
    ['workflows/x.ts', "import { destinationRepository } from '../policies/index.js';"],
    ['api/x.ts', "import type { ReplicationService } from '../service/index.js';"],
    ['api/app.ts', "import { consoleRoutes } from '../console/console-routes.js';"],
    ['console/x.tsx', "import type { SitesMap } from '../service/index.js';"],
    ['service/x.ts', "import { Client } from '@temporalio/client';"],
    ['activities/x.ts', "import { postNotification } from '../notifications/index.js';"],
    ['notifications/x.ts', "import { request } from 'undici';"],
    ['cli/main.ts', "const commands = await import('../server/server-commands.js');"],
    ['test/x.ts', "import { openStore } from '../store/index.js';"],
  ];
  for (const [file, code] of allowed) {
    it(`allows – ${file}: ${code}`, async () => {
      assert.deepEqual(await problems(file, code), []);
    });
  }

  it('determinism – code bundled into workflows may not use Node built-ins or process', async () => {
    const found = await problems('contract/x.ts', 'export const cwd = process.cwd();');
    assert.ok(
      found.some((problem) => problem.startsWith('no-restricted-globals')),
      found.join('\n'),
    );
  });

  it('determinism – lint holds to it the folders the worker bundles as pure, and workflows/', () => {
    assert.deepEqual([...workflowFolders].sort(), ['workflows', ...pureFolders].sort());
  });
});
