// Every committed history (test/fixtures/histories/<recorded by>/<shape>.json, written by
// `npm run record-histories`) replays against today's workflow code: a change that would break a
// run in flight, of any shape, recorded by any earlier version, fails here.
//
// protobufjs is a direct dependency only so that npm installs one copy for @temporalio/common and
// @temporalio/proto: with two, the SDK cannot read a JSON history ("type must be a Type").
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { bundleWorkflows } from '../../worker/create-worker.js';

const root = join(import.meta.dirname, '..', 'fixtures', 'histories');
const variant = (name: string) =>
  fileURLToPath(new URL(`../fixtures/workflow-variants/${name}.ts`, import.meta.url));

/** Every committed history, shape by shape. */
function recordedShapes(): Array<{ name: string; recorded: RecordedShape }> {
  return readdirSync(root)
    .sort()
    .flatMap((version) =>
      readdirSync(join(root, version))
        .sort()
        .map((file) => ({
          name: `${version}/${file}`,
          recorded: JSON.parse(readFileSync(join(root, version, file), 'utf8')) as RecordedShape,
        })),
    );
}

interface RecordedShape {
  shape: string;
  histories: Array<{ workflowId: string; history: unknown }>;
}

/** Replays the histories and answers each failure as `workflowId: message`. */
export async function replayFailures(bundle: WorkflowBundle, recorded: RecordedShape): Promise<string[]> {
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, recorded.histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  return failures;
}

describe('workflow replay of recorded histories', () => {
  let bundle: WorkflowBundle;
  before(async () => {
    bundle = await bundleWorkflows();
  });

  it('bundle – only the pure modules workflows use, not all their folders re-export', () => {
    // Each new workflow evaluates its bundle's modules anew: schemas only the API reads cost it time.
    const modules = new Set([...bundle.code.matchAll(/\/\*{3}\/ "(\.\/[^"]+)"/g)].map((match) => match[1]!));
    assert.ok(modules.has('./policies/policy-snapshot.ts'), 'a schema workflows parse is there');
    assert.ok(!modules.has('./policies/replication-policy-input.ts'), 'an API-only schema is left out');
    assert.ok(![...modules].some((module) => module.includes('node_modules/minimatch/')), 'minimatch is left out');
  });

  const versions = readdirSync(root).sort();
  it('fixtures – histories of every shape are committed', () => {
    assert.ok(versions.length > 0, 'no recorded histories');
    for (const version of versions) assert.ok(readdirSync(join(root, version)).length >= 10, version);
  });

  for (const { name, recorded } of recordedShapes()) {
    it(`replays – ${name}`, async () => {
      assert.ok(recorded.histories.length > 0);
      assert.deepEqual(await replayFailures(bundle, recorded), []);
    });
  }

  it('a change behind patched() – replays every history', async () => {
    const upgraded = await bundleWorkflows(variant('upgraded'));
    for (const { name, recorded } of recordedShapes())
      assert.deepEqual(await replayFailures(upgraded, recorded), [], name);
  });

  it('the same change without patched() – fails the replay of runs in flight', async () => {
    const unpatched = await bundleWorkflows(variant('unpatched'));
    const failing = [];
    for (const { name, recorded } of recordedShapes()) {
      const run = recorded.histories.filter(
        (history) =>
          !history.workflowId.includes('/page-') && !history.workflowId.startsWith('regatta-drift-'),
      );
      if (run.length === 0) continue;
      const failures = await replayFailures(unpatched, { ...recorded, histories: run });
      failing.push(
        failures.length === run.length ? name : `${name}: only ${failures.length} of ${run.length} failed`,
      );
    }
    assert.ok(failing.length >= 10, 'every run shape was replayed');
    assert.deepEqual(
      failing.filter((entry) => entry.includes(': only')),
      [],
    );
  });
});
