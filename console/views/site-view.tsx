import type { DriftEntry } from '../../contract/index.js';
import type { MapRegistry, PolicySiteStatus, RunBrief, SiteSummary } from '../../service/index.js';
import { formatDuration } from './format.js';
import { BasisText } from './map-view.js';
import { StateBadge, StatusBadge, TimeAgo, Table } from './parts.js';

const shortDigest = (digest: string | undefined) =>
  digest ? digest.replace(/^sha256:/, '').slice(0, 12) : '–';

function Samples({ status }: { status: PolicySiteStatus }) {
  const samples = status.drift?.samples;
  if (!samples) return null;
  const rows: Array<[string, DriftEntry]> = [
    ...samples.missing.map((entry): [string, DriftEntry] => ['missing', entry]),
    ...samples.different.map((entry): [string, DriftEntry] => ['different', entry]),
    ...samples.extra.map((entry): [string, DriftEntry] => ['extra', entry]),
  ];
  if (rows.length === 0 && samples.unservable.length === 0) return null;
  return (
    <section aria-label={`Drift samples of ${status.policyName}`}>
      <h3>Drift samples: {status.policyName}</h3>
      <Table columns={['kind', 'tag', 'at the source', 'at the site']}>
        {rows.map(([kind, entry]) => (
          <tr>
            <td>{kind}</td>
            <td>
              {entry.repository}:{entry.tag}
            </td>
            <td class="mono">{shortDigest(entry.sourceDigest)}</td>
            <td class="mono">{shortDigest(entry.destinationDigest)}</td>
          </tr>
        ))}
        {samples.unservable.map((entry) => (
          <tr>
            <td>unservable</td>
            <td>
              {entry.repository}:{entry.tag}
            </td>
            <td colSpan={2}>
              {entry.problems.map((problem) => `${problem.code}: ${problem.message}`).join('; ')}
            </td>
          </tr>
        ))}
      </Table>
    </section>
  );
}

export function RunsTable({ runs, now }: { runs: RunBrief[]; now: number }) {
  if (runs.length === 0) return <p class="muted">No run yet.</p>;
  return (
    <Table columns={['run', 'policy', 'trigger', 'status', 'started']}>
      {runs.map((run) => (
        <tr>
          <td>
            <a href={`/runs/${run.executionId}`}>#{run.executionId}</a>
            {run.dryRun ? ' (dry run)' : ''}
          </td>
          <td>{run.policyName}</td>
          <td>{run.trigger}</td>
          <td>
            <StatusBadge status={run.status} />
          </td>
          <td>
            <TimeAgo iso={run.startTime} now={now} />
          </td>
        </tr>
      ))}
    </Table>
  );
}

/** One site: its state per policy, what its audits found out of place, its last runs. */
export function SiteView(props: {
  registry: MapRegistry;
  site?: SiteSummary;
  runs: RunBrief[];
  now: number;
}) {
  const { site, now } = props;
  return (
    <>
      <p class="muted">{props.registry.url}</p>
      {!site ? (
        <p>No policy copies to this registry.</p>
      ) : (
        <>
          <p>
            <StateBadge state={site.state} />{' '}
            {site.recoveryPointSeconds !== undefined &&
              `Recovery point: ${formatDuration(site.recoveryPointSeconds)}`}
          </p>
          <h2>Policies</h2>
          <Table
            columns={[
              'policy',
              'state',
              'known from',
              'missing',
              'different',
              'extra',
              'unservable',
              'recovery point',
            ]}
          >
            {site.policies.map((status) => (
              <tr>
                <td>
                  <a href={`/policies/${status.policyId}`}>{status.policyName}</a>
                  {status.enabled ? '' : ' (disabled)'}
                </td>
                <td>
                  <StateBadge state={status.state} />
                </td>
                <td>
                  <BasisText status={status} now={now} />
                </td>
                <td>{status.drift?.missing ?? '–'}</td>
                <td>{status.drift?.different ?? '–'}</td>
                <td>{status.drift?.extra ?? '–'}</td>
                <td>{status.drift?.unservable ?? '–'}</td>
                <td>{status.drift ? formatDuration(status.drift.recoveryPointSeconds) : '–'}</td>
              </tr>
            ))}
          </Table>
          {site.policies.map((status) => (
            <Samples status={status} />
          ))}
        </>
      )}
      <h2>Last runs</h2>
      <RunsTable runs={props.runs} now={now} />
    </>
  );
}
