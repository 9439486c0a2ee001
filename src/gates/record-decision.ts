import { createHash, randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { appendDecisionLines } from '../log/decisions-file.js';
import { redactValue } from '../log/redact-secrets.js';
import type { StateStore } from '../state/state-store.js';
import type { Workspace } from '../workspace/paths.js';
import { faultPoint } from '../workspace/fault-point.js';
import { toStorageError } from '../workspace/storage-error.js';

export const DECISIONS = ['approve', 'reject', 'override', 'revert', 'abort', 'veto'] as const;
export type DecisionKind = (typeof DECISIONS)[number];

export interface DecisionRecord {
  id: string;
  timestamp: string;
  run_id: string | null;
  project: string;
  task_id: string | null;
  decision: DecisionKind;
  by: string;
  os_user: string;
  reason: string | null;
  environment: string | null;
  version: string | null;
  /** What the person was shown, hashed: an approval holds only for it. */
  fingerprint: string | null;
}

export function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/** Appends a decision: SQLite first, then one JSON line in .aibrain/decisions.jsonl. */
export function recordDecision(
  store: StateStore,
  ws: Workspace,
  input: Omit<DecisionRecord, 'id' | 'timestamp' | 'os_user'> & { id?: string },
): DecisionRecord {
  const record: DecisionRecord = redactValue({
    id: input.id ?? randomUUID(),
    timestamp: new Date().toISOString(),
    run_id: input.run_id,
    project: input.project,
    task_id: input.task_id,
    decision: input.decision,
    by: input.by,
    os_user: osUser(),
    reason: input.reason,
    environment: input.environment,
    version: input.version,
    fingerprint: input.fingerprint,
  });
  const json = JSON.stringify(record);
  store.transaction(() => store.insertDecision(record.project, record.id, record.task_id, record.decision, record.fingerprint, json));
  faultPoint('record:decision:stored');
  flushDecisions(store, ws);
  return record;
}

/**
 * Writes decisions the state store holds but the file does not yet (after a crash, too). A file
 * that cannot be written (disk full, read-only) is a LoopError naming it; the store keeps them.
 */
export function flushDecisions(store: StateStore, ws: Workspace): void {
  store.transaction(() => {
    const pending = store.unwrittenDecisions();
    if (pending.length === 0) return;
    try {
      appendDecisionLines(ws.decisionsFile, pending.map((r) => ({ id: r.id, json: r.record })));
    } catch (e) {
      throw toStorageError(e, ws.decisionsFile, 'append the decision') ?? e;
    }
    store.markDecisionsWritten(pending.map((r) => r.id));
  });
}

export function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
