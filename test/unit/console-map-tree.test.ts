import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapTree, type MapTreeNode } from '../../console/map-tree.js';
import type { SitesMap } from '../../service/index.js';

function sitesMap(registries: string[], links: Array<[string, string]>): SitesMap {
  const id = (name: string) => registries.indexOf(name) + 1;
  return {
    registries: registries.map((name) => ({ id: id(name), name, url: `https://${name}` })),
    links: links.map(([from, to]) => ({
      sourceId: id(from),
      destinationId: id(to),
      policies: [{ id: 1, name: `${from}-${to}`, enabled: true }],
    })),
    sites: [...new Set(links.map(([, to]) => to))].map((name) => ({
      id: id(name),
      name,
      url: `https://${name}`,
      state: 'unknown' as const,
      missing: 0,
      different: 0,
      extra: 0,
      unservable: 0,
      recoveryPointSeconds: undefined,
      policies: [],
    })),
    policiesLeftOff: 0,
  };
}

/** A tree as text: `hq(a, b(c))`. */
function shape(nodes: MapTreeNode[]): string {
  return nodes
    .map((node) => `${node.registry.name}${node.children.length ? `(${shape(node.children)})` : ''}`)
    .join(', ');
}

describe('mapTree', () => {
  const cases: Array<[string, string[], Array<[string, string]>, string, string[]]> = [
    [
      'fan-out',
      ['hq', 'dc-b', 'dc-a', 'dr'],
      [
        ['hq', 'dc-b'],
        ['hq', 'dc-a'],
        ['hq', 'dr'],
      ],
      'hq(dc-a, dc-b, dr)',
      [],
    ],
    [
      'a hub feeds its own sites',
      ['hq', 'eu', 'paris', 'berlin'],
      [
        ['hq', 'eu'],
        ['eu', 'paris'],
        ['eu', 'berlin'],
      ],
      'hq(eu(berlin, paris))',
      [],
    ],
    [
      'an upstream above HQ',
      ['hub', 'hq', 'site'],
      [
        ['hub', 'hq'],
        ['hq', 'site'],
      ],
      'hub(hq(site))',
      [],
    ],
    [
      'two sources share a site',
      ['hq', 'lab', 'dr'],
      [
        ['hq', 'dr'],
        ['lab', 'dr'],
      ],
      'hq(dr), lab(dr)',
      [],
    ],
    [
      'a loop is cut where it closes',
      ['a', 'b'],
      [
        ['a', 'b'],
        ['b', 'a'],
      ],
      'a(b)',
      [],
    ],
    ['registries in no policy', ['hq', 'dc', 'spare'], [['hq', 'dc']], 'hq(dc)', ['spare']],
    ['no policy', ['hq'], [], '', ['hq']],
  ];
  for (const [name, registries, links, tree, unused] of cases) {
    it(`draws – ${name}`, () => {
      const drawn = mapTree(sitesMap(registries, links));
      assert.equal(shape(drawn.roots), tree);
      assert.deepEqual(
        drawn.unused.map((registry) => registry.name),
        unused,
      );
    });
  }

  it('arrows – a site names the policies that copy to it; a source has no site summary', () => {
    const [hq] = mapTree(sitesMap(['hq', 'dc'], [['hq', 'dc']])).roots;
    assert.equal(hq?.site, undefined);
    assert.deepEqual(hq?.children[0]?.via, ['hq-dc']);
    assert.equal(hq?.children[0]?.site?.name, 'dc');
  });
});
