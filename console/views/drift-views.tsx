import type { DriftReport } from '../../contract/index.js';
import type { StoredPolicy } from '../../policies/index.js';
import type { Session } from '../session/session-store.js';
import { formatDuration } from './format.js';
import { CsrfField, StateBadge, TimeAgo, Table, driftSampleLines } from './parts.js';

const verifyModes = [
  ['off', 'Audit now'],
  ['head', 'Verify (head)'],
  ['deep', 'Verify (deep)'],
] as const;

function AuditButtons({ policy, session }: { policy: StoredPolicy; session: Session }) {
  if (session.user.role !== 'admin') return null;
  return (
    <form method="post" action={`/drift/${policy.id}/audit`} class="toolbar">
      <CsrfField token={session.csrfToken} />
      {verifyModes.map(([verify, label]) => (
        <button type="submit" name="verify" value={verify} class={verify === 'off' ? 'primary' : ''}>
          {label}
        </button>
      ))}
      <span class="hint">
        head checks every manifest and blob is there; deep downloads and hashes every blob.
      </span>
    </form>
  );
}

/** One policy's newest audit: per site its counts, recovery point and the first tags out of place. */
export function PolicyDrift(props: {
  policy: StoredPolicy;
  report: DriftReport | undefined;
  session: Session;
  now: number;
}) {
  const { policy, report, now } = props;
  return (
    <section id={`policy-${policy.id}`} class="card" aria-label={`Drift of ${policy.name}`}>
      <h2>
        <a href={`/policies/${policy.id}`}>{policy.name}</a>
      </h2>
      {report ? (
        <p class="muted">
          Audited <TimeAgo iso={report.finishedAt} now={now} />
          {report.verify !== 'off' ? ` with verify ${report.verify}` : ''}: {report.sourceTags} tags in scope
          at the source.
        </p>
      ) : (
        <p class="muted">Not audited yet.</p>
      )}
      <AuditButtons policy={policy} session={props.session} />
      {report && (
        <Table
          columns={[
            'site',
            'state',
            'missing',
            'different',
            'extra',
            'verified',
            'unservable',
            'recovery point',
            'samples',
          ]}
        >
          {report.destinations.map((site) => {
            const drifting = site.missing + site.different + site.extra + site.unservable > 0;
            const samples = driftSampleLines(site.samples);
            return (
              <tr data-site={site.name}>
                <td>
                  <a href={`/sites/${site.registryId}`}>{site.name}</a>
                </td>
                <td>
                  <StateBadge state={drifting ? 'drift' : 'in_sync'} />
                </td>
                <td>{site.missing}</td>
                <td>{site.different}</td>
                <td>{site.extra}</td>
                <td>{site.verified}</td>
                <td>{site.unservable}</td>
                <td>{formatDuration(site.recoveryPointSeconds)}</td>
                <td>
                  {samples.length === 0 ? (
                    '–'
                  ) : (
                    <details>
                      <summary>
                        {samples.length === 1 ? samples[0] : `${samples[0]} and ${samples.length - 1} more`}
                      </summary>
                      <ul class="mono">
                        {samples.map((sample) => (
                          <li>{sample}</li>
                        ))}
                      </ul>
                    </details>
                  )}
                </td>
              </tr>
            );
          })}
        </Table>
      )}
    </section>
  );
}
