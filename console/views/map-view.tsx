import type { PolicySiteStatus, SiteSummary, SitesMap } from '../../service/index.js';
import { mapTree, type MapTreeNode } from '../map-tree.js';
import { formatDuration } from './format.js';
import { driftSampleLines, StateBadge, StatusBadge, TimeAgo } from './parts.js';

/** How a state is known, in words: `audited 2 min ago`, `synced by run #3 1 min ago`. */
export function BasisText({ status, now }: { status: PolicySiteStatus; now: number }) {
  const { basis } = status;
  if (basis.kind === 'none') return <span>not audited yet</span>;
  if (basis.kind === 'audit')
    return (
      <span>
        audited{basis.verify !== 'off' ? ` (verify ${basis.verify})` : ''}{' '}
        <TimeAgo iso={basis.at} now={now} />
      </span>
    );
  return (
    <span>
      {status.state === 'in_sync' ? 'synced by' : 'since'} run #{basis.executionId}{' '}
      <TimeAgo iso={basis.at} now={now} />
    </span>
  );
}

/** The first tags a site's audits found out of place, with what is wrong with each. */
function driftSamples(site: SiteSummary, count: number): string[] {
  return site.policies
    .flatMap((status) => (status.drift ? driftSampleLines(status.drift.samples) : []))
    .slice(0, count);
}

function SiteCard({ site, now }: { site: SiteSummary; now: number }) {
  const counts = (
    [
      ['missing', site.missing],
      ['different', site.different],
      ['extra', site.extra],
      ['unservable', site.unservable],
    ] as const
  ).filter(([, count]) => count > 0);
  return (
    <a class={`node site ${site.state}`} href={`/sites/${site.id}`} data-site={site.name}>
      <strong class="name">{site.name}</strong>
      <StateBadge state={site.state} />
      {counts.length > 0 && (
        <span class="counts">{counts.map(([kind, count]) => `${count} ${kind}`).join(' · ')}</span>
      )}
      {driftSamples(site, 2).map((sample) => (
        <span class="sample">{sample}</span>
      ))}
      <span class="detail">
        Recovery point:{' '}
        {site.recoveryPointSeconds !== undefined ? formatDuration(site.recoveryPointSeconds) : '–'}
      </span>
      <span class="detail">
        {site.policies.length === 1 ? (
          <BasisText status={site.policies[0]!} now={now} />
        ) : (
          `${site.policies.length} policies`
        )}
      </span>
      {site.lastRun && (
        <span class="detail">
          Last run #{site.lastRun.executionId} <StatusBadge status={site.lastRun.status} />{' '}
          <TimeAgo iso={site.lastRun.startTime} now={now} />
        </span>
      )}
    </a>
  );
}

function TreeItem({ node, now }: { node: MapTreeNode; now: number }) {
  return (
    <li>
      {node.via.length > 0 && <span class="via">{node.via.join(', ')}</span>}
      {node.site ? (
        <SiteCard site={node.site} now={now} />
      ) : (
        <a class="node source" href={`/registries/${node.registry.id}`}>
          <strong class="name">{node.registry.name}</strong>
          <span class="detail">{node.registry.url}</span>
          <span class="detail">source</span>
        </a>
      )}
      {node.children.length > 0 && (
        <ul>
          {node.children.map((child) => (
            <TreeItem node={child} now={now} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** The map, drawn from the sites' summaries; it fetches itself again every 5 s. */
export function MapRegion({ map, now, admin }: { map: SitesMap; now: number; admin: boolean }) {
  const tree = mapTree(map);
  return (
    <section
      id="map"
      class="map"
      aria-label="Sites map"
      hx-get="/map"
      hx-trigger="every 5s"
      hx-swap="outerHTML"
    >
      {tree.roots.length === 0 ? (
        <p class="empty">
          No policy yet.{' '}
          {admin ? (
            <>
              Add <a href="/registries/new">registries</a> and a <a href="/policies/new">policy</a>:{' '}
            </>
          ) : (
            'Once an admin adds one, '
          )}
          the map draws each source with an arrow to each site it copies to.
        </p>
      ) : (
        <ul class="tree">
          {tree.roots.map((root) => (
            <TreeItem node={root} now={now} />
          ))}
        </ul>
      )}
      {tree.unused.length > 0 && (
        <p class="muted">In no policy: {tree.unused.map((registry) => registry.name).join(', ')}</p>
      )}
      {map.policiesLeftOff > 0 && <p class="muted">{map.policiesLeftOff} more policies are not drawn.</p>}
      <p class="legend">
        A site is in sync when its newest evidence says so: an audit without drift, or a successful full run
        ended after it. Updated {new Date(now).toISOString().slice(11, 19)} UTC.
      </p>
    </section>
  );
}
