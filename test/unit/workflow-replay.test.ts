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
import { answeredLate, type JsonHistory } from '../harness/answered-late.js';

const root = join(import.meta.dirname, '..', 'fixtures', 'histories');
/** Histories of runs that went wrong outside the recorder: each must replay as it was written. */
const observed = join(import.meta.dirname, '..', 'fixtures', 'observed-histories');
/**
 * Releases whose runs read a patch after a local activity without knowing that its marker is
 * there (`listed-checks` after `recordExecution`, `notifications` after `recordRunResult`; the
 * releases before them had neither): such a run replays only if its local activities answered
 * within their own workflow task. From run-bookends on, a run waits for the marker it knows it has.
 */
const unsureOfLateAnswers = new Set([
  'afb91ec-checks-prunes-notifications',
  'cd5ff25-shared-modules',
  '4ab4c72-listed-checks',
]);
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

type Shape = ReturnType<typeof recordedShapes>[number];

/**
 * Replays the shapes' histories in one replay worker (a worker each would cost a quarter second
 * per shape file) and answers each shape's failures as `workflowId: message`. Each history is
 * tagged with its shape; the SDK replays them one at a time, in order, so the nth result is the
 * nth history's.
 */
async function replayFailures(bundle: WorkflowBundle, shapes: Shape[]): Promise<Map<string, string[]>> {
  const tagged = shapes.flatMap(({ name, recorded }) =>
    recorded.histories.map((history) => ({ name, ...history })),
  );
  const failures = new Map(shapes.map(({ name }) => [name, [] as string[]]));
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, tagged)) {
    const tag = tagged[replayed++];
    assert.ok(tag, 'no more results than histories');
    assert.equal(result.workflowId, tag.workflowId, 'results come in the order of the histories');
    if (result.error) failures.get(tag.name)?.push(`${result.workflowId}: ${result.error.message}`);
  }
  assert.equal(replayed, tagged.length, 'every history was replayed');
  return failures;
}

describe('workflow replay of recorded histories', () => {
  const shapes = recordedShapes();
  let bundle: WorkflowBundle;
  let failures: Map<string, string[]>;
  before(async () => {
    bundle = await bundleWorkflows();
    failures = await replayFailures(bundle, shapes);
  });

  it('bundle – only the pure modules workflows use, not all their folders re-export', () => {
    // Each new workflow evaluates its bundle's modules anew: schemas only the API reads cost it time.
    const modules = new Set([...bundle.code.matchAll(/\/\*{3}\/ "(\.\/[^"]+)"/g)].map((match) => match[1]!));
    assert.ok(modules.has('./policies/policy-snapshot.ts'), 'a schema workflows parse is there');
    assert.ok(!modules.has('./policies/replication-policy-input.ts'), 'an API-only schema is left out');
    assert.ok(
      ![...modules].some((module) => module.includes('node_modules/minimatch/')),
      'minimatch is left out',
    );
  });

  const versions = readdirSync(root).sort();
  it('fixtures – histories of every shape are committed', () => {
    assert.ok(versions.length > 0, 'no recorded histories');
    for (const version of versions) assert.ok(readdirSync(join(root, version)).length >= 10, version);
  });

  for (const { name, recorded } of shapes) {
    it(`replays – ${name}`, () => {
      assert.ok(recorded.histories.length > 0);
      assert.deepEqual(failures.get(name), []);
    });
  }

  it('a local activity that answered after its workflow task – every history replays', async () => {
    let moved = 0;
    const late = shapes
      .filter(({ name }) => !unsureOfLateAnswers.has(name.split('/')[0]!))
      .map(({ name, recorded }) => ({
        name,
        recorded: {
          ...recorded,
          histories: recorded.histories.map(({ workflowId, history }) => {
            const written = history as JsonHistory;
            const answered = answeredLate(written);
            if (answered.events.length > written.events.length) moved++;
            return { workflowId, history: answered };
          }),
        },
      }));
    assert.ok(moved >= 50, `local activities answered late in ${moved} histories`);
    const lateFailures = await replayFailures(bundle, late);
    for (const { name } of late) assert.deepEqual(lateFailures.get(name), [], name);
  });

  it('observed – a run whose openRun answered after its workflow task replays', async () => {
    const files = readdirSync(observed).sort();
    assert.ok(files.length > 0);
    const seen = files.map((file) => ({
      name: file,
      recorded: JSON.parse(readFileSync(join(observed, file), 'utf8')) as RecordedShape,
    }));
    const seenFailures = await replayFailures(bundle, seen);
    for (const { name } of seen) assert.deepEqual(seenFailures.get(name), [], name);
  });

  it('a change behind patched() – replays every history', async () => {
    const upgraded = await replayFailures(await bundleWorkflows(variant('upgraded')), shapes);
    for (const { name } of shapes) assert.deepEqual(upgraded.get(name), [], name);
  });

  it('the same change without patched() – fails the replay of runs in flight', async () => {
    const runs = shapes
      .map(({ name, recorded }) => ({
        name,
        recorded: {
          ...recorded,
          histories: recorded.histories.filter(
            (history) =>
              !history.workflowId.includes('/page-') && !history.workflowId.startsWith('regatta-drift-'),
          ),
        },
      }))
      .filter(({ recorded }) => recorded.histories.length > 0);
    const unpatched = await replayFailures(await bundleWorkflows(variant('unpatched')), runs);
    const failing = runs.map(({ name, recorded }) => {
      const failed = unpatched.get(name)?.length ?? 0;
      return failed === recorded.histories.length
        ? name
        : `${name}: only ${failed} of ${recorded.histories.length} failed`;
    });
    assert.ok(failing.length >= 10, 'every run shape was replayed');
    assert.deepEqual(
      failing.filter((entry) => entry.includes(': only')),
      [],
    );
  });
});
