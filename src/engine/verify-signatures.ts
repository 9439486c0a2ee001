import path from 'node:path';
import type { Contract } from '../gates/contract.js';
import { readDecisionsFile } from '../records/read-projections.js';
import { openStore, storeName } from '../state/open-store.js';
import type { Workspace } from '../workspace/paths.js';
import { needsSignature } from '../gates/signed-approval.js';
import { refuseRecordedSignature, SIGNED_DECISIONS } from './signed-decision.js';

type RecordFields = Parameters<typeof refuseRecordedSignature>[1];

export interface SignatureVerification {
  /** Signed decisions checked (rows of state.db; the file's lines are checked beside them). */
  signed: number;
  /** One line per decision row or record line whose signature no longer holds, naming it. */
  problems: string[];
  /**
   * Approvals and overrides in an environment the contract now lists in verified_approvals that
   * carry no signature (given before it was listed, or written by hand): said, not failed — the
   * run never uses one, and the chain says whether the row was written by the loop.
   */
  unsigned: string[];
}

/**
 * `history --verify`, the signatures: every decision that carries one (in state.db, its signature
 * column and its record; in decisions.jsonl, each line) is checked with `ssh-keygen -Y verify`
 * against the contract's approvers' keys, over the record's own fields. An edit of a signed
 * decision, a signature taken off a row, or one moved to another decision is named. Reads only.
 */
export async function verifySignatures(ws: Workspace, contract: Pick<Contract, 'approvers' | 'verified_approvals'>): Promise<SignatureVerification> {
  const problems: string[] = [];
  const unsigned: string[] = [];
  const memo = new Map<string, Promise<string | undefined>>();
  const check = (json: string): Promise<string | undefined> => {
    let answer = memo.get(json);
    if (!answer) {
      answer = refuseRecordedSignature(contract, JSON.parse(json) as RecordFields);
      memo.set(json, answer);
    }
    return answer;
  };
  const store = await openStore(ws.stateDb);
  let signed = 0;
  const signedIds = new Set<string>();
  try {
    const rows = await store.chainedRecords('decisions');
    const columns = new Map((await store.decisionSignatures()).map((s) => [s.id, s.signature]));
    for (const row of rows) {
      const column = columns.get(row.id) ?? null;
      const parsed = JSON.parse(row.record) as { signature?: unknown; decision?: unknown; environment?: unknown };
      const inRecord = parsed.signature;
      if (column === null && inRecord === undefined) {
        if (SIGNED_DECISIONS.includes(String(parsed.decision)) && needsSignature(contract, typeof parsed.environment === 'string' ? parsed.environment : null)) unsigned.push(`${storeName()} decisions row ${row.seq} (id ${row.id})`);
        continue;
      }
      signed++;
      signedIds.add(row.id);
      const where = `${storeName()} decisions row ${row.seq} (id ${row.id})`;
      if (column !== null && (inRecord === undefined || JSON.stringify(inRecord) !== canonical(column))) {
        problems.push(`${where}: its record ${inRecord === undefined ? 'lost' : 'differs from'} the signature kept beside it: edited in the database`);
        continue;
      }
      const why = await check(row.record);
      if (why) problems.push(`${where}: ${why}: edited in the database`);
    }
  } finally {
    await store.close();
  }
  const file = readDecisionsFile(ws.decisionsFile);
  if (file.state === 'ok') {
    const name = path.basename(ws.decisionsFile);
    for (const [i, line] of file.records.entries()) {
      const hasSignature = (JSON.parse(line.json) as { signature?: unknown }).signature !== undefined;
      if (!hasSignature && !signedIds.has(line.id)) continue;
      if (!hasSignature) {
        problems.push(`${name} line ${i + 1} (id ${line.id}): the signature its decision was given with is gone from the line: edited in the file`);
        continue;
      }
      const why = await check(line.json);
      if (why) problems.push(`${name} line ${i + 1} (id ${line.id}): ${why}: edited in the file`);
    }
  }
  return { signed, problems, unsigned };
}

const canonical = (json: string): string => {
  try {
    return JSON.stringify(JSON.parse(json));
  } catch {
    return json;
  }
};
