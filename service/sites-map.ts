import type { Client } from '@temporalio/client';
import type { DriftReport } from '../contract/index.js';
import type { StoredPolicy, StoredRegistry } from '../policies/index.js';
import { forEachBounded } from '../registry/index.js';
import type { Store } from '../store/index.js';
import { lastDriftReport } from './drift-audit.js';
import { executionFact, executionFacts } from './execution-facts.js';
import type { ExecutionFacts } from './read-execution.js';
import {
  isFullRun,
  policySiteStatus,
  siteDrift,
  siteState,
  type PolicySiteStatus,
  type RunBrief,
  type SyncState,
} from './site-status.js';

/** A registry on the map: where images come from, pass through, or arrive. */
export type MapRegistry = Pick<StoredRegistry, 'id' | 'name' | 'url'>;

/** An arrow of the map: the policies that copy from one registry to another. */
export interface MapLink {
  sourceId: number;
  destinationId: number;
  policies: Array<{ id: number; name: string; enabled: boolean }>;
}

/** A destination of at least one policy, with what is known of it. */
export interface SiteSummary extends MapRegistry, ReturnType<typeof siteDrift> {
  state: SyncState;
  policies: PolicySiteStatus[];
  /** Its newest run that is not a plan, of any of its policies. */
  lastRun?: RunBrief;
}

export interface SitesMap {
  registries: MapRegistry[];
  links: MapLink[];
  sites: SiteSummary[];
  /** Past `mapBounds.policies` policies, the rest are left off the map. */
  policiesLeftOff: number;
}

/** Bounds of one map: the policies and registries it reads, the runs it looks back, its lanes to Temporal. */
export const mapBounds = { policies: 100, registries: 100, runsPerPolicy: 10, lanes: 8 };
/** Runs a site's page lists. */
const siteRuns = 10;

/** What the map knows of one policy: its newest audit, its newest run and its newest finished full run. */
interface PolicyFacts {
  policy: StoredPolicy;
  report: DriftReport | undefined;
  lastRun: RunBrief | undefined;
  lastFullRun: RunBrief | undefined;
}

function runBrief(facts: ExecutionFacts, policyName: string): RunBrief {
  return {
    executionId: facts.id,
    policyId: facts.policyId,
    policyName,
    status: facts.status,
    trigger: facts.trigger,
    dryRun: facts.dryRun,
    startTime: facts.startTime.toISOString(),
    ...(facts.closeTime ? { endTime: facts.closeTime.toISOString() } : {}),
  };
}

async function policyFacts(store: Store, client: Client, policy: StoredPolicy): Promise<PolicyFacts> {
  const [report, executions] = await Promise.all([
    lastDriftReport(client, policy.id, undefined),
    store.executions.list({ policyId: policy.id, page: 1, pageSize: mapBounds.runsPerPolicy }),
  ]);
  let lastRun: RunBrief | undefined;
  let lastFullRun: RunBrief | undefined;
  // Newest first; most often the first one or two answer both questions.
  for (const record of executions.items) {
    const run = runBrief(await executionFact(store, client, record), policy.name);
    if (run.dryRun) continue;
    lastRun ??= run;
    if (isFullRun(run)) lastFullRun = run;
    if (lastFullRun) break;
  }
  return { policy, report, lastRun, lastFullRun };
}

/**
 * The distribution picture: every registry, an arrow for each source → destination pair of the
 * policies, and each destination's state from its policies' newest audits and runs, its drift
 * counts, recovery point and last run. Reads at most `mapBounds`; starts nothing.
 */
export async function readSitesMap(store: Store, client: Client): Promise<SitesMap> {
  const [policies, registries] = await Promise.all([
    store.policies.list({ page: 1, pageSize: mapBounds.policies }),
    store.registries.list({ page: 1, pageSize: mapBounds.registries }),
  ]);
  const facts: PolicyFacts[] = [];
  await forEachBounded(policies.items, mapBounds.lanes, async (policy) => {
    facts.push(await policyFacts(store, client, policy));
  });
  facts.sort((a, b) => a.policy.id - b.policy.id);

  const links = new Map<string, MapLink>();
  const sites = new Map<number, { statuses: PolicySiteStatus[]; runs: RunBrief[] }>();
  for (const { policy, report, lastRun, lastFullRun } of facts) {
    for (const destinationId of policy.dest_registry_ids) {
      const key = `${policy.src_registry_id}>${destinationId}`;
      const link = links.get(key) ?? { sourceId: policy.src_registry_id, destinationId, policies: [] };
      link.policies.push({ id: policy.id, name: policy.name, enabled: policy.enabled });
      links.set(key, link);
      const site = sites.get(destinationId) ?? { statuses: [], runs: [] };
      site.statuses.push(policySiteStatus(policy, destinationId, report, lastFullRun));
      if (lastRun) site.runs.push(lastRun);
      sites.set(destinationId, site);
    }
  }
  const known = new Map(registries.items.map((registry) => [registry.id, registry]));
  return {
    registries: registries.items.map(({ id, name, url }) => ({ id, name, url })),
    links: [...links.values()],
    sites: [...sites].flatMap(([registryId, { statuses, runs }]) => {
      const registry = known.get(registryId);
      if (!registry) return [];
      const lastRun = runs.sort((a, b) => b.startTime.localeCompare(a.startTime))[0];
      return [
        {
          id: registry.id,
          name: registry.name,
          url: registry.url,
          state: siteState(statuses),
          ...siteDrift(statuses),
          policies: statuses,
          ...(lastRun ? { lastRun } : {}),
        },
      ];
    }),
    policiesLeftOff: Math.max(0, policies.total - policies.items.length),
  };
}

/** One registry of the map: what is known of it as a site, and the newest runs of its policies. */
export async function readSite(store: Store, client: Client, registryId: number) {
  const registry = await store.registries.get(registryId);
  const map = await readSitesMap(store, client);
  const site = map.sites.find((candidate) => candidate.id === registryId);
  const runs: RunBrief[] = [];
  await forEachBounded(site?.policies ?? [], mapBounds.lanes, async (status) => {
    const records = await store.executions.list({ policyId: status.policyId, page: 1, pageSize: siteRuns });
    for (const facts of await executionFacts(store, client, records.items))
      runs.push(runBrief(facts, status.policyName));
  });
  return {
    registry: { id: registry.id, name: registry.name, url: registry.url } satisfies MapRegistry,
    ...(site ? { site } : {}),
    runs: runs.sort((a, b) => b.startTime.localeCompare(a.startTime)).slice(0, siteRuns),
  };
}
