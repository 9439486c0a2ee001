import { InterruptError } from '../../errors.js';
import { hashFile, saveKeptPlan, type KeptPlan } from './kept-plan.js';
import { describeCommandFailure, runProvisionCommand, type ProvisionTarget } from './provision-target.js';

export interface ApplyOutcome {
  ok: boolean;
  /** Addresses the tool reported done, in its order. */
  applied: string[];
  error?: string;
}

/**
 * Applies exactly the kept plan file, once: its sha-256 must still be the one planned (and
 * approved); the plan is marked `applying` before the tool starts and `applied` or `apply_failed`
 * after, so nothing applies it a second time.
 */
export async function applyKeptPlan(t: ProvisionTarget, kept: KeptPlan): Promise<ApplyOutcome> {
  const now = hashFile(kept.plan_file);
  if (now !== kept.sha256) {
    saveKeptPlan(t.dir, { ...kept, state: 'discarded' });
    return { ok: false, applied: [], error: `the plan file changed after it was approved (sha256 ${kept.sha256.slice(0, 12)} -> ${now?.slice(0, 12) ?? 'missing'}): nothing applied; run again to plan and be asked again` };
  }
  saveKeptPlan(t.dir, { ...kept, state: 'applying' });
  const result = await runProvisionCommand(t, 'provision_apply', t.commands.apply, { planFile: kept.plan_file, planJson: kept.plan_json }, { onOutput: (line) => t.progress(line) });
  const applied = appliedAddresses(result.output);
  if (result.cancelled) {
    saveKeptPlan(t.dir, { ...kept, state: 'apply_failed', applied });
    throw new InterruptError(`provision_apply was interrupted after ${applied.length} resource(s); it is not applied again by itself`);
  }
  saveKeptPlan(t.dir, { ...kept, state: result.ok ? 'applied' : 'apply_failed', applied });
  return result.ok ? { ok: true, applied } : { ok: false, applied, error: describeCommandFailure('provision_apply', result) };
}

const DONE = /^(?:\S+\s+)?([A-Za-z0-9_.\-[\]"]+): (?:Creation|Modifications|Destruction|Read) complete\b/;

/** What the tool said it finished: human lines (`addr: Creation complete after 2s`) or `-json` lines (`apply_complete`). */
export function appliedAddresses(output: string): string[] {
  const seen: string[] = [];
  for (const line of output.split('\n')) {
    let address: string | undefined;
    const trimmed = line.trim();
    if (trimmed.startsWith('{')) {
      try {
        const j = JSON.parse(trimmed) as { type?: string; hook?: { resource?: { addr?: string } } };
        if (j.type === 'apply_complete') address = j.hook?.resource?.addr;
      } catch {
        address = undefined;
      }
    } else address = DONE.exec(trimmed)?.[1];
    if (address && !seen.includes(address)) seen.push(address);
  }
  return seen;
}
