import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { appendDecisionLines } from '../log/decisions-file.js';
import { redactValue } from '../log/redact-secrets.js';
import type { Store } from '../state/store.js';
import type { Workspace } from '../workspace/paths.js';
import { faultPoint } from '../workspace/fault-point.js';
import { appendToProjection } from './check-projection.js';
import { noteBehind, projectionWrite } from './records-behind.js';

export const DECISIONS = ['approve', 'reject', 'override', 'revert', 'abort', 'veto', 'unlock'] as const;
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
  /** What the person was shown, itemised: a later prompt says what changed. */
  subject?: unknown;
  /** Verified approvals: the payload the approver signed, the `ssh-keygen -Y sign` signature and the key's SHA256 fingerprint. */
  signature?: { payload: string; signature: string; key: string };
}

/**
 * The OS user this process runs as, from the kernel: the uid looked up in /etc/passwd (or the
 * system's user database), never $USER; `uid:NNNN` for a uid with no entry.
 */
export function osUser(): string {
  const uid = process.getuid?.();
  if (uid === undefined) return userInfo().username;
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name && id === String(uid)) return name;
    }
  } catch {
    // no passwd file: the user database below
  }
  try {
    const info = userInfo();
    if (info.uid === uid && info.username) return info.username;
  } catch {
    // no entry anywhere
  }
  return `uid:${uid}`;
}

/**
 * Records a decision: committed to SQLite, then projected as one JSON line in
 * .aibrain/decisions.jsonl. A line that cannot be written is noted (recordsBehind) and written by
 * the next flush or `repair`; the decision stands.
 */
export async function recordDecision(
  store: Store,
  ws: Workspace,
  input: Omit<DecisionRecord, 'id' | 'timestamp' | 'os_user'> & { id?: string; os_user?: string },
): Promise<DecisionRecord> {
  const record: DecisionRecord = redactValue({
    id: input.id ?? randomUUID(),
    timestamp: new Date().toISOString(),
    run_id: input.run_id,
    project: input.project,
    task_id: input.task_id,
    decision: input.decision,
    by: input.by,
    // who acted: the OS user here, or the person a console login names (`console:<name>`)
    os_user: input.os_user ?? osUser(),
    reason: input.reason,
    environment: input.environment,
    version: input.version,
    fingerprint: input.fingerprint,
    ...(input.subject !== undefined ? { subject: input.subject } : {}),
  });
  // The signature is kept as signed: redaction must not touch what a key vouched for.
  if (input.signature) record.signature = input.signature;
  const json = JSON.stringify(record);
  const signature = record.signature ? JSON.stringify(record.signature) : null;
  await store.transaction((tx) => tx.insertDecision(record.project, record.id, record.task_id, record.decision, record.fingerprint, json, signature));
  faultPoint('record:decision:stored');
  noteBehind(await flushDecisions(store, ws));
  return record;
}

/**
 * Writes decisions the state store holds but the file does not yet (after a crash, too). Returns
 * the problem in one line when the file cannot be written; the store keeps them.
 */
export function flushDecisions(store: Store, ws: Workspace): Promise<string | undefined> {
  return projectionWrite(ws.decisionsFile, ws, 'append the decision', () =>
    appendToProjection(store, ws.decisionsFile, 'decisions', appendDecisionLines),
  );
}

export function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
