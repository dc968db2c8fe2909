import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prunable, pruneCandidates, type PruneListing } from '../../activities/prune-rules.js';
import type { TaggedArtifact } from '../../activities/artifacts-in-scope.js';

/** `repo:tag` → a tagged artifact. */
const tags = (...names: string[]): TaggedArtifact[] =>
  names.map((name) => {
    const colon = name.lastIndexOf(':');
    return { repository: name.slice(0, colon), tag: name.slice(colon + 1) };
  });
const names = (artifacts: TaggedArtifact[]) => artifacts.map((a) => `${a.repository}:${a.tag}`);

const listing = (
  source: string[],
  destination: string[],
  extra: Partial<PruneListing> = {},
): PruneListing => ({
  source: tags(...source),
  destination: tags(...destination),
  protect: [],
  maxDeleteRatio: 0.5,
  ...extra,
});

describe('pruneCandidates – what a mirror may delete before any digest is read', () => {
  const cases: Array<[string, PruneListing, string[] | RegExp]> = [
    ['in step – nothing extra, nothing to delete', listing(['a:1', 'a:2'], ['a:1', 'a:2']), []],
    ['gone at the source – deleted', listing(['a:1', 'a:2'], ['a:1', 'a:2', 'a:3']), ['a:3']],
    [
      'another repository keeps its tag – names compare repository and tag',
      listing(['a:1', 'b:3'], ['a:1', 'a:3', 'b:3']),
      ['a:3'],
    ],
    // The ratio boundary: exactly max_delete_ratio is allowed, one more is not.
    [
      'ratio – 2 of 4 at 0.5 is allowed',
      listing(['a:1', 'a:2', 'a:9'], ['a:1', 'a:2', 'a:3', 'a:4']),
      ['a:3', 'a:4'],
    ],
    [
      'ratio – 3 of 5 at 0.5 is refused',
      listing(['a:1', 'a:2'], ['a:1', 'a:2', 'a:3', 'a:4', 'a:5']),
      /^would delete 3 of 5 tags in scope \(60%\), more than max_delete_ratio 0\.5$/,
    ],
    [
      'ratio – 1 of 5 at 0.2 is allowed',
      listing(['a:1', 'a:2', 'a:3', 'a:4'], ['a:1', 'a:2', 'a:3', 'a:4', 'a:5'], { maxDeleteRatio: 0.2 }),
      ['a:5'],
    ],
    [
      'ratio – 2 of 5 at 0.2 is refused',
      listing(['a:1', 'a:2', 'a:3'], ['a:1', 'a:2', 'a:3', 'a:4', 'a:5'], { maxDeleteRatio: 0.2 }),
      /would delete 2 of 5 tags in scope \(40%\), more than max_delete_ratio 0\.2/,
    ],
    [
      'ratio 1 – everything extra may go',
      listing(['b:1'], ['a:1', 'a:2'], { maxDeleteRatio: 1 }),
      ['a:1', 'a:2'],
    ],
    [
      'empty source – refused whatever the ratio',
      listing([], ['a:1'], { maxDeleteRatio: 1 }),
      /^the source lists no tag in scope; refusing to delete 1 of 1 at the destination$/,
    ],
    ['empty source, empty destination – nothing to do, no refusal', listing([], []), []],
    // Per repository: the same bound for each repository on its own, beside the total.
    [
      'per repository – a repository wiped at the source among kept ones is refused, the total being low',
      listing(
        ['a:1', 'a:2', 'a:3', 'a:4', 'a:5', 'a:6', 'a:7'],
        ['a:1', 'a:2', 'a:3', 'a:4', 'a:5', 'a:6', 'a:7', 'b:1', 'b:2'],
        {
          maxDeleteRatio: 0.3,
          maxDeleteRatioPerRepository: 0.5,
        },
      ),
      /^would delete 2 of 2 tags of b \(100%\), more than max_delete_ratio_per_repository 0\.5$/,
    ],
    [
      'per repository – exactly the bound is allowed',
      listing(['a:1', 'b:1'], ['a:1', 'a:2', 'b:1', 'b:2'], {
        maxDeleteRatio: 1,
        maxDeleteRatioPerRepository: 0.5,
      }),
      ['a:2', 'b:2'],
    ],
    [
      'per repository – unset, only the total bounds',
      listing(['a:1', 'a:2', 'a:3', 'a:4'], ['a:1', 'a:2', 'a:3', 'a:4', 'b:1'], { maxDeleteRatio: 0.2 }),
      ['b:1'],
    ],
    [
      'per repository – the largest shares named first, the rest counted',
      listing(['k:1'], ['k:1', 'p:1', 'p:2', 'q:1', 'r:1', 'r:2', 'r:3', 's:1', 's:2', 's:3', 's:4'], {
        maxDeleteRatio: 1,
        maxDeleteRatioPerRepository: 0.9,
      }),
      /^would delete 2 of 2 tags of p \(100%\), 1 of 1 tags of q \(100%\), 3 of 3 tags of r \(100%\) and 1 more repository, more than max_delete_ratio_per_repository 0\.9$/,
    ],
    [
      'per repository – the total is judged first',
      listing(['a:1'], ['a:1', 'b:1', 'b:2'], { maxDeleteRatio: 0.5, maxDeleteRatioPerRepository: 0.5 }),
      /^would delete 2 of 3 tags in scope \(67%\), more than max_delete_ratio 0\.5$/,
    ],
    // Protect: a pattern matches the tag alone or `repository:tag`, with the filters' globs.
    ['protect tag – exact', listing(['a:1'], ['a:1', 'a:sig'], { protect: ['sig'] }), []],
    [
      'protect tag – glob',
      listing(['a:1'], ['a:1', 'a:x.sig', 'a:y'], { protect: ['*.sig'], maxDeleteRatio: 1 }),
      ['a:y'],
    ],
    [
      'protect repo:tag – only that repository',
      listing(['a:1', 'b:1'], ['a:1', 'a:old', 'b:1', 'b:old'], { protect: ['a:old'] }),
      ['b:old'],
    ],
    [
      'protect repo:tag – glob across repositories; * does not cross /',
      listing(['x:1'], ['team/a:keep', 'team/deep/b:keep', 'x:1'], {
        protect: ['team/*:keep'],
        maxDeleteRatio: 1,
      }),
      ['team/deep/b:keep'],
    ],
    [
      'protect repo:tag – ** as a whole segment crosses /',
      listing(['x:1'], ['team/a:keep', 'team/deep/b:keep', 'x:1'], {
        protect: ['team/**/*:keep'],
        maxDeleteRatio: 1,
      }),
      [],
    ],
    [
      'protect – protected tags count in scope but not as deletions',
      listing(['a:1'], ['a:1', 'a:p1', 'a:p2', 'a:gone'], { protect: ['p*'] }),
      ['a:gone'],
    ],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      const candidates = pruneCandidates(input);
      assert.equal(candidates.inScope, input.destination.length);
      if (expected instanceof RegExp) {
        assert.match(candidates.refusal ?? '', expected);
        assert.deepEqual(candidates.extra, []);
        assert.deepEqual(candidates.digestsNeeded, []);
      } else {
        assert.equal(candidates.refusal, undefined);
        assert.deepEqual(names(candidates.extra), expected);
      }
    });
  }

  it('digests needed – the kept tags of the repositories losing one, then the extra ones', () => {
    const candidates = pruneCandidates(
      listing(['a:1', 'a:2', 'b:1', 'c:1'], ['a:1', 'a:2', 'a:old', 'b:1', 'c:1', 'c:old'], {
        maxDeleteRatio: 0.5,
      }),
    );
    assert.deepEqual(names(candidates.digestsNeeded), ['a:1', 'a:2', 'c:1', 'a:old', 'c:old']);
  });
});

describe('prunable – the kept-digest rule', () => {
  const digest = (letter: string) => `sha256:${letter.repeat(64)}`;
  const at = (digests: Record<string, string | undefined>) => (artifact: TaggedArtifact) =>
    digests[`${artifact.repository}:${artifact.tag}`];

  const cases: Array<[string, PruneListing, Record<string, string | undefined>, string[]]> = [
    [
      'an extra tag sharing its digest with a kept tag stays (a delete would take both)',
      listing(['a:1'], ['a:1', 'a:alias']),
      { 'a:1': digest('a'), 'a:alias': digest('a') },
      [],
    ],
    [
      'an extra tag of its own digest goes, with that digest',
      listing(['a:1'], ['a:1', 'a:old']),
      { 'a:1': digest('a'), 'a:old': digest('b') },
      [`a:old@${digest('b')}`],
    ],
    [
      'the same digest in another repository does not keep it',
      listing(['a:1', 'b:1'], ['a:1', 'b:1', 'b:old'], { maxDeleteRatio: 0.5 }),
      { 'a:1': digest('a'), 'b:1': digest('b'), 'b:old': digest('a') },
      [`b:old@${digest('a')}`],
    ],
    [
      'two extra tags of one digest both go: no kept tag needs it',
      listing(['a:1'], ['a:1', 'a:x', 'a:y'], { maxDeleteRatio: 1 }),
      { 'a:1': digest('a'), 'a:x': digest('c'), 'a:y': digest('c') },
      [`a:x@${digest('c')}`, `a:y@${digest('c')}`],
    ],
    [
      'a protected tag keeps its digest: an extra alias of it stays',
      listing(['a:1'], ['a:1', 'a:v.sig', 'a:alias'], { protect: ['*.sig'] }),
      { 'a:1': digest('a'), 'a:v.sig': digest('d'), 'a:alias': digest('d') },
      [],
    ],
    [
      'an extra tag gone since the listing (no digest) needs no delete',
      listing(['a:1'], ['a:1', 'a:old']),
      { 'a:1': digest('a'), 'a:old': undefined },
      [],
    ],
  ];
  for (const [name, input, digests, expected] of cases) {
    it(name, () => {
      const artifacts = prunable(pruneCandidates(input), at(digests));
      assert.deepEqual(
        artifacts.map((artifact) => `${artifact.repository}:${artifact.tag}@${artifact.digest}`),
        expected,
      );
    });
  }
});

describe('several destinations – each is planned on its own listing', () => {
  it('one destination within the ratio prunes while another over it is refused', () => {
    const source = ['a:1', 'a:2', 'a:3'];
    const near = pruneCandidates(listing(source, ['a:1', 'a:2', 'a:3', 'a:old']));
    const far = pruneCandidates(listing(source, ['a:1', 'a:x', 'a:y', 'a:z']));
    assert.deepEqual(names(near.extra), ['a:old']);
    assert.equal(near.refusal, undefined);
    assert.match(far.refusal ?? '', /would delete 3 of 4/);
  });
});
