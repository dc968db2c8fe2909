import type { MapRegistry, SiteSummary, SitesMap } from '../service/index.js';

/** A registry drawn on the map, with an arrow to each registry it feeds. */
export interface MapTreeNode {
  registry: MapRegistry;
  /** What is known of it as a destination; absent for a source only (HQ, an upstream). */
  site?: SiteSummary;
  /** The policies on the arrow into it; empty for a root. */
  via: string[];
  children: MapTreeNode[];
}

export interface MapTree {
  roots: MapTreeNode[];
  /** Registries no policy uses. */
  unused: MapRegistry[];
}

const maxDepth = 8;

/**
 * The distribution picture as trees: each registry that only sends (HQ, an upstream) is a root,
 * with an arrow to each registry its policies copy to; a hub (it receives and sends) carries its
 * own sites below it. A site fed from two roots appears under both; a loop is cut where it closes.
 */
export function mapTree(map: SitesMap): MapTree {
  const registries = new Map(map.registries.map((registry) => [registry.id, registry]));
  const sites = new Map(map.sites.map((site) => [site.id, site]));
  const destinations = new Set(map.links.map((link) => link.destinationId));
  const sources = [...new Set(map.links.map((link) => link.sourceId))];
  let rootIds = sources.filter((id) => !destinations.has(id));
  if (rootIds.length === 0 && sources.length > 0) rootIds = [Math.min(...sources)];

  const node = (id: number, via: string[], ancestors: ReadonlySet<number>): MapTreeNode | undefined => {
    const registry = registries.get(id);
    if (!registry) return undefined;
    const path = new Set([...ancestors, id]);
    const children =
      path.size > maxDepth
        ? []
        : map.links
            .filter((link) => link.sourceId === id && !path.has(link.destinationId))
            .flatMap((link) => {
              const child = node(
                link.destinationId,
                link.policies.map((policy) => policy.name),
                path,
              );
              return child ? [child] : [];
            })
            .sort((a, b) => a.registry.name.localeCompare(b.registry.name));
    const site = sites.get(id);
    return { registry, ...(site ? { site } : {}), via, children };
  };

  const used = new Set([...sources, ...destinations]);
  return {
    roots: rootIds
      .flatMap((id) => node(id, [], new Set()) ?? [])
      .sort((a, b) => a.registry.name.localeCompare(b.registry.name)),
    unused: map.registries.filter((registry) => !used.has(registry.id)),
  };
}
