import type { DriftReport } from '../../contract/index.js';
import type { StoredPolicy } from '../../policies/index.js';
import type { Session } from '../session/session-store.js';
import { formatDuration } from './format.js';
import { CsrfField, StateBadge, TimeAgo } from './parts.js';

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
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">site</th>
                <th scope="col">state</th>
                <th scope="col">missing</th>
                <th scope="col">different</th>
                <th scope="col">extra</th>
                <th scope="col">verified</th>
                <th scope="col">unservable</th>
                <th scope="col">recovery point</th>
                <th scope="col">samples</th>
              </tr>
            </thead>
            <tbody>
              {report.destinations.map((site) => {
                const drifting = site.missing + site.different + site.extra + site.unservable > 0;
                const samples = [
                  ...site.samples.missing.map((entry) => `missing ${entry.repository}:${entry.tag}`),
                  ...site.samples.different.map((entry) => `different ${entry.repository}:${entry.tag}`),
                  ...site.samples.extra.map((entry) => `extra ${entry.repository}:${entry.tag}`),
                  ...site.samples.unservable.map(
                    (entry) =>
                      `unservable ${entry.repository}:${entry.tag} (${entry.problems.map((problem) => problem.code).join(', ')})`,
                  ),
                ];
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
                            {samples.length === 1
                              ? samples[0]
                              : `${samples[0]} and ${samples.length - 1} more`}
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
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
