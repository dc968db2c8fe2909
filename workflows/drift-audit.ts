import { patched, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import { DriftAuditInput, type DriftReport, type ReplicationActivities } from '../contract/index.js';
import { patches } from './patches.js';
import { queueDriftChanges } from './queue-notifications.js';

const { auditDrift } = proxyActivities<ReplicationActivities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '60 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 3 },
});

/**
 * Audits how far a policy's destinations are from its source: tags missing, different and extra,
 * the recovery point, and with `verify` whether each destination can serve every image.
 * Read-only: it never changes a registry. A site whose drift began or ended since its previous
 * audit is told to the notification policies that want it.
 */
export async function driftAudit(rawInput: DriftAuditInput): Promise<DriftReport> {
  const input = DriftAuditInput.parse(rawInput);
  const startedAt = new Date().toISOString();
  setCurrentDetails(`auditing ${input.policy.name} (verify: ${input.verify})`);
  const findings = await auditDrift({ policy: input.policy, verify: input.verify });
  const report: DriftReport = {
    policyId: input.policy.id,
    policyName: input.policy.name,
    verify: input.verify,
    startedAt,
    finishedAt: new Date().toISOString(),
    ...findings,
  };
  setCurrentDetails(
    findings.destinations
      .map(
        (d) =>
          `${d.name}: ${d.missing} missing, ${d.different} different, ${d.extra} extra, ${d.unservable} unservable`,
      )
      .join('; '),
  );
  if (patched(patches.notifications)) await queueDriftChanges(report);
  return report;
}
