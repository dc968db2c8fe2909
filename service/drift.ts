import type { Client } from '@temporalio/client';
import type { VerifyMode } from '../policies/index.js';
import { NotFoundError, type Store } from '../store/index.js';
import { lastDriftReport, readDriftAudit, runDriftAudit, type DriftAuditState } from './drift-audit.js';
import { storedPolicySnapshot } from './policy-snapshot.js';

/** Drift audits of a policy's destinations: started (or joined) and waited for, read back, the newest read. */
export function createDrift(store: Store, client: Client) {
  return {
    /** Audits now; waits for the report at most `waitMs`, else answers with the run id to ask again. */
    async audit(policyId: number, verify: VerifyMode, waitMs: number): Promise<DriftAuditState> {
      const policy = await store.policies.get(policyId);
      return runDriftAudit(client, await storedPolicySnapshot(store, policy), verify, waitMs);
    },

    /** A requested audit by its run id: its report once done. */
    async read(policyId: number, verify: VerifyMode, runId: string): Promise<DriftAuditState> {
      await store.policies.get(policyId);
      return readDriftAudit(client, policyId, verify, runId);
    },

    /** The newest finished audit's report, in any verify mode, or undefined; starts nothing. */
    latest: (policyId: number) => lastDriftReport(client, policyId, undefined),

    /** The newest finished audit's report; starts nothing. */
    async last(policyId: number, verify?: VerifyMode) {
      await store.policies.get(policyId);
      const report = await lastDriftReport(client, policyId, verify);
      if (!report) throw new NotFoundError(`policy ${policyId} has no finished drift audit yet`);
      return report;
    },
  };
}
export type Drift = ReturnType<typeof createDrift>;
