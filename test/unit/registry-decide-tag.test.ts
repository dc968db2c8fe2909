import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ArtifactTree } from '../../registry/copy/artifact-tree.js';
import { decideTag } from '../../registry/copy/copy-steps.js';
import { TargetRun } from '../../registry/copy/target-run.js';
import type { RegistryClient } from '../../registry/index.js';

const source = `sha256:${'a'.repeat(64)}`;
const other = `sha256:${'b'.repeat(64)}`;
const tree = { top: { digest: source } } as ArtifactTree;

/** A target whose registry holds `existing` under the tag, counting the HEADs it answers. */
function targetAt(existing: string | undefined) {
  const heads = { count: 0 };
  const client = {
    async headManifest() {
      heads.count++;
      return existing ? { digest: existing, mediaType: '', size: 0 } : undefined;
    },
  } as unknown as RegistryClient;
  return { client, heads };
}

describe('copy – deciding a target tag', () => {
  const cases: Array<{
    name: string;
    existing: string | undefined;
    stale: boolean;
    override: boolean;
    heads: number;
    status: string;
    needsImage: boolean;
  }> = [
    {
      name: 'absent, asked',
      existing: undefined,
      stale: false,
      override: true,
      heads: 1,
      status: 'copied',
      needsImage: true,
    },
    {
      name: 'in place, asked',
      existing: source,
      stale: false,
      override: true,
      heads: 1,
      status: 'skipped',
      needsImage: false,
    },
    {
      name: 'another digest, override',
      existing: other,
      stale: false,
      override: true,
      heads: 1,
      status: 'copied',
      needsImage: true,
    },
    {
      name: 'another digest, no override',
      existing: other,
      stale: false,
      override: false,
      heads: 1,
      status: 'conflict',
      needsImage: false,
    },
    // A check just saw it stale: with override the tag is set without asking again.
    {
      name: 'stale, override',
      existing: other,
      stale: true,
      override: true,
      heads: 0,
      status: 'copied',
      needsImage: true,
    },
    // Without override the target is asked all the same: another digest put there since is kept.
    {
      name: 'stale, no override',
      existing: other,
      stale: true,
      override: false,
      heads: 1,
      status: 'conflict',
      needsImage: false,
    },
  ];
  for (const { name, existing, stale, override, heads, status, needsImage } of cases) {
    it(`decideTag – ${name}`, async () => {
      const target = targetAt(existing);
      const run = new TargetRun(
        { id: '0', client: target.client, repository: 'app', stale },
        { stallTimeoutMs: 60_000 },
      );
      await decideTag(run, tree, {
        source: { client: target.client, repository: 'app', reference: 'v1' },
        targets: [run.target],
        override,
      });
      assert.equal(target.heads.count, heads);
      assert.equal(run.result.status, status);
      assert.equal(run.needsImage, needsImage);
      assert.equal(run.tag, 'v1');
    });
  }
});
