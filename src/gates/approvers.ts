import type { Contract } from './contract.js';

/** One entry of the contract's `approvers`, whichever way it was written. */
export interface Approver {
  name: string;
  sshKey: string | null;
  osUsers: string[];
}

export function listApprovers(contract: Pick<Contract, 'approvers'>): Approver[] {
  return contract.approvers.map((a) => (typeof a === 'string' ? { name: a, sshKey: null, osUsers: [] } : { name: a.name, sshKey: a.ssh_key ?? null, osUsers: a.os_users ?? [] }));
}

export function approverNames(contract: Pick<Contract, 'approvers'>): string[] {
  return listApprovers(contract).map((a) => a.name);
}

/** The approver named `by`, when the contract lists one. */
export function findApprover(contract: Pick<Contract, 'approvers'>, by: string): Approver | undefined {
  return listApprovers(contract).find((a) => a.name === by);
}
