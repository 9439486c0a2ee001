import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Workspace } from '../../workspace/paths.js';
import { writeFileAtomic } from '../../workspace/write-file-atomic.js';

// The plan a provisioning task is approved for, kept between the gate and the apply (and between
// runs while the task waits for a person): `.aibrain/plans/<project>/<task>/`. The plan file is
// never made again for the same attempt; apply runs exactly this file.

export type KeptPlanState = 'pending' | 'applying' | 'applied' | 'apply_failed' | 'discarded';

export interface KeptPlan {
  /** The plan file as the IaC tool wrote it (absolute). */
  plan_file: string;
  /** Its `show -json` output, saved (absolute). */
  plan_json: string;
  sha256: string;
  made_at: string;
  environment: string;
  state: KeptPlanState;
  /** The cost tool's monthly figure for the plan, when the project names one. */
  cost_tool_monthly_usd: number | null;
  /** Addresses the apply reported done (after an apply). */
  applied?: string[];
}

export function planDir(ws: Workspace, project: string, taskId: string): string {
  return path.join(ws.aibrainDir, 'plans', project, taskId.replace(/[^A-Za-z0-9._-]/g, '_'));
}

const metaFile = (dir: string): string => path.join(dir, 'current.json');

export function readKeptPlan(dir: string): KeptPlan | undefined {
  if (!existsSync(metaFile(dir))) return undefined;
  try {
    return JSON.parse(readFileSync(metaFile(dir), 'utf8')) as KeptPlan;
  } catch {
    return undefined;
  }
}

export function saveKeptPlan(dir: string, plan: KeptPlan): void {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(metaFile(dir), `${JSON.stringify(plan, null, 2)}\n`);
}

/** sha-256 of a file, or null when it cannot be read. */
export function hashFile(file: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return null;
  }
}

/** The next free plan number in the folder: each plan made gets its own file. */
export function nextPlanNumber(dir: string, previous: KeptPlan | undefined): number {
  const m = previous ? /plan-(\d+)\.tfplan$/.exec(previous.plan_file) : null;
  return m ? Number(m[1]) + 1 : 1;
}
