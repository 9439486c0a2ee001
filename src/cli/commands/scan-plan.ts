import { readFileSync } from 'node:fs';
import { InputError } from '../../errors.js';
import { checkPlan, type PlanFinding } from '../../guardrails/plan/check-plan.js';
import { SEVERITIES, isAtOrAbove, type Severity } from '../../guardrails/finding.js';
import { loadPlanRules } from '../../guardrails/plan/plan-rules.js';
import { readPlan } from '../../guardrails/plan/read-plan.js';
import { displayPath, resolveWorkspace } from '../../workspace/paths.js';

/**
 * `scan-plan <plan.json>`: the plan guardrails on a `tofu show -json` / `terraform show -json`
 * file, as `scan` prints its findings (`--json`: {"findings": [...], "changes": [...]}); exit 1 at
 * or above --fail-on. `--data-loss` is the business case's data-loss risk in words.
 */
export async function scanPlanCommand(file: string, opts: { json: boolean; failOn: string; root?: string; dataLoss?: string }): Promise<void> {
  const failOn = opts.failOn.toUpperCase() as Severity;
  if (!(SEVERITIES as readonly string[]).includes(failOn)) throw new InputError(`--fail-on: expected ${SEVERITIES.join(', ')}, got '${opts.failOn}'`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`${displayPath(file)}: cannot read the plan JSON (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const plan = readPlan(text, displayPath(file));
  const rules = loadPlanRules(resolveWorkspace(opts.root).guardrailsDir);
  const findings = checkPlan(plan, { rules, ...(opts.dataLoss !== undefined ? { dataLossRisk: opts.dataLoss } : {}) });
  const failing = findings.filter((f) => !f.suppressed && isAtOrAbove(f.severity, failOn));
  if (opts.json) {
    const changes = plan.changes.map((c) => ({ address: c.address, type: c.type, action: c.action }));
    process.stdout.write(`${JSON.stringify({ file: displayPath(file), format_version: plan.formatVersion, changes, findings }, null, 2)}\n`);
  } else process.stdout.write(`${formatPlanFindings(findings)}\n`);
  if (failing.length > 0) process.exitCode = 1;
}

function formatPlanFindings(findings: PlanFinding[]): string {
  if (findings.length === 0) return 'No plan safety findings.';
  const lines = ['PLAN SAFETY FINDINGS', ''];
  for (const severity of SEVERITIES) {
    const group = findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push(`${severity} (${group.length})`);
    for (const f of group) lines.push(`  ${f.address} [${f.action}]`, `    Rule:   ${f.rule}`, `    Reason: ${f.message}: ${f.detail}`, `    Fix:    ${f.fix}`);
    lines.push('');
  }
  lines.push(`${findings.length} finding(s)`);
  return lines.join('\n');
}
