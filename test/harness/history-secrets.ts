import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';

/** One piece of text a history holds, and where: `events[3].activityTaskScheduledEventAttributes.input.payloads[0]`. */
export interface HistoryText {
  path: string;
  text: string;
  /** Read from a payload by the payload converter. */
  payload?: true;
}

export interface SecretFinding {
  workflowId: string;
  path: string;
  /** Which secret (by its name), and how it was written: plain, base64 or base64url. */
  secret: string;
  form: string;
}

function isPayload(value: object): value is Payload {
  const candidate = value as { data?: unknown; metadata?: unknown };
  return (
    candidate.data instanceof Uint8Array &&
    typeof candidate.metadata === 'object' &&
    candidate.metadata !== null
  );
}

/** A payload as the SDK's converter reads it back (JSON, binary, null), as text; raw UTF-8 when it cannot. */
function payloadText(payload: Payload): string {
  try {
    const value = defaultPayloadConverter.fromPayload<unknown>(payload);
    if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  } catch {
    return Buffer.from(payload.data ?? new Uint8Array()).toString('utf8');
  }
}

/**
 * Every text in a history: each payload decoded with the SDK's payload converter, wherever it sits
 * (workflow and activity inputs and results, child workflow inputs, memo, search attributes,
 * headers, heartbeat and failure details, markers), and every other string and byte string
 * (failure messages, stack traces, identities). `payloads` counts the payloads decoded.
 */
export function historyTexts(history: unknown): { texts: HistoryText[]; payloads: number } {
  const texts: HistoryText[] = [];
  let payloads = 0;
  const walk = (value: unknown, path: string, depth: number) => {
    if (depth > 64 || value === null || value === undefined) return;
    if (typeof value === 'string') {
      if (value !== '') texts.push({ path, text: value });
      return;
    }
    if (value instanceof Uint8Array) {
      texts.push({ path, text: Buffer.from(value).toString('utf8') });
      return;
    }
    if (typeof value !== 'object') return;
    if (isPayload(value)) {
      payloads++;
      texts.push({ path, text: payloadText(value), payload: true });
      for (const [key, meta] of Object.entries(value.metadata ?? {}))
        texts.push({ path: `${path}.metadata.${key}`, text: Buffer.from(meta).toString('utf8') });
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, `${path}[${index}]`, depth + 1));
      return;
    }
    for (const [key, item] of Object.entries(value)) walk(item, path ? `${path}.${key}` : key, depth + 1);
  };
  walk(history, '', 0);
  return { texts, payloads };
}

const base64Token = /[A-Za-z0-9+/_-]{8,}={0,2}/g;

/**
 * Where the secrets appear in the texts: written plainly, or inside any base64 or base64url token
 * (a Basic `Authorization` value, a Docker config `auth`, bytes a payload carried as base64).
 */
export function findSecrets(
  workflowId: string,
  texts: readonly HistoryText[],
  secrets: Readonly<Record<string, string>>,
): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const { path, text } of texts) {
    const decoded: Array<[string, string]> = [['plain', text]];
    for (const token of text.match(base64Token) ?? []) {
      decoded.push(['base64', Buffer.from(token, 'base64').toString('latin1')]);
      decoded.push(['base64url', Buffer.from(token, 'base64url').toString('latin1')]);
    }
    for (const [name, secret] of Object.entries(secrets)) {
      const form = decoded.find(([, candidate]) => candidate.includes(secret))?.[0];
      if (form) findings.push({ workflowId, path, secret: name, form });
    }
  }
  return findings;
}

export interface HistoryScan {
  /** Every workflow execution scanned, with its type. */
  workflows: Array<{ workflowId: string; runId: string; type: string }>;
  payloads: number;
  texts: number;
  findings: SecretFinding[];
  /** Whether `probe` (a known non-secret) was found in a decoded payload: proof that payloads were read. */
  probeSeen: boolean;
}

/**
 * Scans the history of every workflow execution in the client's namespace (runs, their pages,
 * drift audits, whatever a schedule started) for the secrets; `probe` is a string a run's input is
 * known to hold, so a scan that decoded nothing cannot pass.
 */
export async function scanAllHistories(
  client: Client,
  secrets: Readonly<Record<string, string>>,
  probe: string,
): Promise<HistoryScan> {
  const scan: HistoryScan = { workflows: [], payloads: 0, texts: 0, findings: [], probeSeen: false };
  for await (const execution of client.workflow.list()) {
    if (scan.workflows.length >= 10_000) throw new Error('more than 10,000 workflows to scan');
    scan.workflows.push({ workflowId: execution.workflowId, runId: execution.runId, type: execution.type });
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const { texts, payloads } = historyTexts(history);
    scan.payloads += payloads;
    scan.texts += texts.length;
    scan.findings.push(...findSecrets(execution.workflowId, texts, secrets));
    scan.probeSeen ||= texts.some((text) => text.payload && text.text.includes(probe));
  }
  return scan;
}
