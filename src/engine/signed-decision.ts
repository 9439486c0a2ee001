import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { Contract } from '../gates/contract.js';
import {
  allowedSignersText,
  approverKey,
  howToSign,
  buildSignedPayload,
  compareSignedFields,
  needsSignature,
  parseSignedPayload,
  refuseStalePayload,
  type DecisionSignature,
  type SignedFields,
} from '../gates/signed-approval.js';
import type { Store } from '../state/store.js';
import type { Workspace } from '../workspace/paths.js';
import { targetArgs } from '../workspace/find-workspace.js';
import type { DecisionRecord } from '../records/decision-record.js';
import type { TaskSpec } from '../queue/task-spec.js';
import type { EngineContext } from './engine-context.js';
import { writeFileAtomic } from '../workspace/write-file-atomic.js';
import { signPayload, SigningError, verifyPayload } from '../agents/ssh-signature.js';

/** How a decision comes signed: signed here (`--sign [--key PATH]`, the prompt), or a payload and signature made elsewhere (the console). */
export type SignatureSource = { sign: { keyPath?: string } } | { given: { payload: string; signature: string } };

/** The decision a signature must be over: everything but the nonce and time. */
export type DecisionFields = Omit<SignedFields, 'nonce' | 'time'>;

/** Decisions that let something run need the signature; a rejection never does (it stops things). */
export const SIGNED_DECISIONS: readonly string[] = ['approve', 'override'];

/** `.aibrain/allowed_signers`: the contract's keyed approvers, for `ssh-keygen -Y verify` and git alike. */
export function writeAllowedSigners(ws: Workspace, contract: Contract): string {
  const file = path.join(ws.aibrainDir, 'allowed_signers');
  // With PostgreSQL nothing else may have made .aibrain/ yet (SQLite's state.db did).
  mkdirSync(ws.aibrainDir, { recursive: true });
  writeFileAtomic(file, allowedSignersText(contract));
  return file;
}

/**
 * The signature a decision is recorded with, checked: made here with ssh-keygen (the approver's
 * key in ssh-agent, or `keyPath`), or given (payload and signature from the console). Refused, in
 * one line, when it is not the approver's key in allowed_signers, not over this very decision
 * (task, project, environment, version, fingerprint), too old, or used before. Undefined when the
 * environment needs no signature and none was asked for.
 */
export async function signDecision(contract: Contract, store: Store, fields: DecisionFields, source: SignatureSource | undefined, howToSign: string): Promise<DecisionSignature | undefined> {
  const required = SIGNED_DECISIONS.includes(fields.decision) && needsSignature(contract, fields.environment);
  if (!source) {
    if (required) throw new InputError(`${contract.file}: verified_approvals: a decision in ${fields.environment} must be signed by an approver's key; ${howToSign}`);
    return undefined;
  }
  const key = approverKey(contract, fields.by);
  if ('refused' in key) throw new InputError(key.refused);
  let payload: string;
  let signature: string;
  if ('sign' in source) {
    payload = buildSignedPayload(fields);
    try {
      signature = await signPayload(payload, source.sign.keyPath ? { keyPath: source.sign.keyPath } : { publicKey: key.key });
    } catch (e) {
      if (e instanceof SigningError) throw new InputError(`${fields.task}: cannot sign the decision as ${fields.by}: ${e.message}`);
      throw e;
    }
  } else ({ payload, signature } = source.given);
  const refused = await refuseSignature(contract, store, fields, payload, signature);
  if (typeof refused === 'string') throw new InputError(`${fields.task}: the signature is refused: ${refused}`);
  return refused;
}

/** The checked signature, or why it does not hold for this decision now. */
async function refuseSignature(contract: Contract, store: Store, fields: DecisionFields, payload: string, signature: string): Promise<DecisionSignature | string> {
  const signed = parseSignedPayload(payload);
  if (typeof signed === 'string') return signed;
  const differs = compareSignedFields(signed, fields);
  if (differs.length > 0) return `it is over another decision (${differs.join('; ')})`;
  const stale = refuseStalePayload(signed);
  if (stale) return stale;
  const verified = await verifyPayload(payload, signature, fields.by, allowedSignersText(contract));
  if (!verified.ok) return `not ${fields.by}'s key in the contract's approvers (allowed_signers), or not over this payload: ${verified.why}`;
  const used = (await store.taskDecisions(fields.project, fields.task)).some((d) => nonceOf(d.record) === signed.nonce);
  if (used) return `its nonce ${signed.nonce} was used by a decision already: a signature counts once; sign again`;
  return { payload, signature, key: verified.key };
}

const nonceOf = (record: string): string | undefined => {
  const sig = (JSON.parse(record) as { signature?: { payload?: unknown } }).signature;
  if (typeof sig?.payload !== 'string') return undefined;
  const fields = parseSignedPayload(sig.payload);
  return typeof fields === 'string' ? undefined : fields.nonce;
};

/**
 * Whether a recorded decision's signature holds now (checked when an approval is used, and by
 * `history --verify`): the payload is over the record's own fields, and ssh-keygen verifies it
 * with the contract's allowed_signers for the record's `by`. Undefined when it holds.
 */
export async function refuseRecordedSignature(
  contract: Pick<Contract, 'approvers'>,
  record: { decision: string; by: string; project: string; task_id: string | null; environment: string | null; version: string | null; fingerprint: string | null; signature?: unknown },
): Promise<string | undefined> {
  const sig = record.signature as Partial<DecisionSignature> | undefined;
  if (!sig) return 'it carries no signature';
  if (typeof sig.payload !== 'string' || typeof sig.signature !== 'string') return 'its signature is not {payload, signature, key}';
  const signed = parseSignedPayload(sig.payload);
  if (typeof signed === 'string') return signed;
  const differs = compareSignedFields(signed, { decision: record.decision, by: record.by, project: record.project, task: record.task_id ?? '', environment: record.environment, version: record.version, fingerprint: record.fingerprint ?? '' });
  if (differs.length > 0) return `the record no longer says what was signed (${differs.join('; ')})`;
  const verified = await verifyPayload(sig.payload, sig.signature, record.by, allowedSignersText(contract));
  if (!verified.ok) return `the signature does not verify for ${record.by} with the contract's approvers' keys: ${verified.why}`;
  if (sig.key !== undefined && sig.key !== verified.key) return `the record names key ${sig.key}, but it was signed by ${verified.key}`;
  return undefined;
}

// A standing approval in a verified_approvals environment holds only with a signature that verifies now.
export async function refuseUnverifiedUse(ctx: EngineContext, approval: DecisionRecord): Promise<string | undefined> {
  const why = await refuseRecordedSignature(ctx.contract, approval);
  return why ? `the approval by ${approval.by} does not hold: verified_approvals needs a valid signature, and ${why}; ${howToSign(approval.task_id ?? '', targetArgs(ctx.ws.root, ctx.project), approval.by)}` : undefined;
}

// The prompt's yes, signed with the approver's key that ssh-agent holds; why not, in one line.
export async function signAtPrompt(ctx: EngineContext, spec: TaskSpec, by: string, fingerprint: string, decision: 'approve' | 'override' = 'approve'): Promise<DecisionSignature | string> {
  const fields = { decision, by, project: ctx.project, task: spec.id, environment: spec.environment ?? null, version: spec.version ?? null, fingerprint };
  try {
    const signature = await signDecision(ctx.contract, ctx.store, fields, { sign: {} }, '');
    if (signature) return signature;
    return 'the approval could not be signed';
  } catch (e) {
    if (e instanceof InputError) return `not approved: ${e.message}`;
    throw e;
  }
}
