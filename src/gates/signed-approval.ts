import { randomBytes } from 'node:crypto';
import type { Contract } from './contract.js';
import { findApprover, listApprovers } from './approvers.js';

/** The namespace of every signature (`ssh-keygen -Y sign -n autonomous-loop`): a git commit signature is not one of ours. */
export const SIGNATURE_NAMESPACE = 'autonomous-loop';

/** How long a signed payload may be used after the time it names (and how far ahead of this clock it may be). */
export const SIGNATURE_MAX_AGE_MS = 60 * 60 * 1000;
export const SIGNATURE_MAX_SKEW_MS = 5 * 60 * 1000;

const HEADER = 'autonomous-loop signed decision v1';

/** What a signature is over: the decision, who gives it, and the fingerprint of what runs. */
export interface SignedFields {
  decision: string;
  by: string;
  project: string;
  task: string;
  environment: string | null;
  version: string | null;
  /** The fingerprint of the approval subject (what runs), or the decision's own fingerprint (an override, a rollback). */
  fingerprint: string;
  nonce: string;
  /** ISO time the payload was made. */
  time: string;
}

/** A signature as kept with its decision: the exact payload signed, the armored signature, and the key that made it. */
export interface DecisionSignature {
  payload: string;
  signature: string;
  /** `SHA256:…` of the signer's key, as ssh-keygen verified it. */
  key: string;
}

/** The payload text a person signs: one header line, then the fields as one JSON line (no field can break a line). */
export function buildSignedPayload(fields: Omit<SignedFields, 'nonce' | 'time'> & Partial<Pick<SignedFields, 'nonce' | 'time'>>, now = new Date()): string {
  const full: SignedFields = {
    decision: fields.decision,
    by: fields.by,
    project: fields.project,
    task: fields.task,
    environment: fields.environment,
    version: fields.version,
    fingerprint: fields.fingerprint,
    nonce: fields.nonce ?? randomBytes(16).toString('hex'),
    time: fields.time ?? now.toISOString(),
  };
  return `${HEADER}\n${JSON.stringify(full)}\n`;
}

/** The fields of a payload, or why it is not one of ours. */
export function parseSignedPayload(payload: string): SignedFields | string {
  const [header, json, rest] = payload.split('\n');
  if (header !== HEADER || json === undefined || (rest !== undefined && rest !== '') || payload.split('\n').length > 3) return `not a signed decision payload (expected '${HEADER}' and one JSON line)`;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return 'the payload line is not JSON';
  }
  const v = value as Record<string, unknown>;
  const str = (k: string): boolean => typeof v[k] === 'string';
  const strOrNull = (k: string): boolean => typeof v[k] === 'string' || v[k] === null;
  if (!['decision', 'by', 'project', 'task', 'fingerprint', 'nonce', 'time'].every(str) || !['environment', 'version'].every(strOrNull)) return 'the payload lacks a field (decision, by, project, task, environment, version, fingerprint, nonce, time)';
  if (Number.isNaN(Date.parse(v.time as string))) return `the payload's time '${String(v.time)}' is not a time`;
  return v as unknown as SignedFields;
}

/** Where the signed fields differ from the decision being made (or recorded), one line each; empty when they agree. */
export function compareSignedFields(signed: SignedFields, expected: Omit<SignedFields, 'nonce' | 'time'>): string[] {
  const out: string[] = [];
  for (const key of ['decision', 'by', 'project', 'task', 'environment', 'version', 'fingerprint'] as const) {
    if (signed[key] !== expected[key]) out.push(`signed ${key} ${JSON.stringify(signed[key])}, but the decision's is ${JSON.stringify(expected[key])}`);
  }
  return out;
}

/** Why the payload's time does not allow its use now, or undefined. */
export function refuseStalePayload(fields: SignedFields, now = Date.now()): string | undefined {
  const at = Date.parse(fields.time);
  if (at > now + SIGNATURE_MAX_SKEW_MS) return `the signed time ${fields.time} is in the future`;
  if (now - at > SIGNATURE_MAX_AGE_MS) return `the signature was made at ${fields.time}, more than ${SIGNATURE_MAX_AGE_MS / 60_000} minutes ago: sign again`;
  return undefined;
}

/** Whether decisions in this environment need a signature (the contract's `verified_approvals`). */
export function needsSignature(contract: Pick<Contract, 'verified_approvals'>, environment: string | null | undefined): boolean {
  return environment !== null && environment !== undefined && (contract.verified_approvals as readonly string[]).includes(environment);
}

/**
 * OpenSSH allowed_signers text from the contract's approvers (the format git uses for signed
 * commits): one line an approver with a key, its name the principal, limited to our namespace.
 */
export function allowedSignersText(contract: Pick<Contract, 'approvers'>): string {
  const lines = listApprovers(contract)
    .filter((a) => a.sshKey !== null)
    .map((a) => `${a.name} namespaces="${SIGNATURE_NAMESPACE}" ${a.sshKey}`);
  return `# written by autonomous-loop from the contract's approvers; edits are overwritten\n${lines.join('\n')}${lines.length > 0 ? '\n' : ''}`;
}

/** The approver's public key line, or why `by` cannot sign (not an approver, no key). */
export function approverKey(contract: Pick<Contract, 'approvers' | 'file'>, by: string): { key: string } | { refused: string } {
  const approver = findApprover(contract, by);
  if (!approver) return { refused: `'${by}' is not one of the contract's approvers (${contract.file}): only they give verified approvals` };
  if (approver.sshKey === null) return { refused: `${by} has no ssh_key in the contract's approvers (${contract.file}): a verified approval needs one` };
  return { key: approver.sshKey };
}

/** The one line a refused unverified approval says: how to sign. */
export function howToSign(taskId: string, target: string, by: string): string {
  return `sign it: 'autonomous-loop approve ${taskId} ${target} --by ${by} --sign' (the key ssh-agent holds for ${by}; or --key ~/.ssh/id_ed25519)`;
}

/** A shell command that signs the payload with a key file (the console shows it; the signature is printed). */
export function signingCommand(payload: string, keyPath = '~/.ssh/id_ed25519'): string {
  const quoted = `'${payload.replace(/\n$/, '').replaceAll("'", `'\\''`)}'`;
  return `printf '%s\\n' ${quoted} | ssh-keygen -Y sign -n ${SIGNATURE_NAMESPACE} -f ${keyPath}`;
}
