import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ProvisioningRecordInput } from '../../records/provisioning-record.js';
import type { TaskSpec } from '../../queue/task-spec.js';
import { interpolate } from '../deploy/command-variables.js';

export interface DocumentPlace {
  repo: string;
  /** The folder in the repository; `${PROJECT}` is the project's name. */
  folder: string;
}

/**
 * Writes the business case, the plan summary, the cost and the outcome as Markdown into the
 * infrastructure repository and commits that one file (other staged or changed files of the
 * repository are left as they are), with the approver in the message.
 */
export async function writeProvisioningDocument(place: DocumentPlace, project: string, task: TaskSpec, record: ProvisioningRecordInput, approver: string): Promise<{ file: string; commit: string }> {
  const { simpleGit } = await import('simple-git');
  const git = simpleGit(place.repo);
  if (!(await git.checkIsRepo().catch(() => false))) throw new Error(`${place.repo} is not a git repository (infrastructure.repo)`);
  const folder = interpolate(place.folder, { PROJECT: project, ENVIRONMENT: record.environment });
  const rel = path.posix.join(folder.replaceAll('\\', '/'), `${record.completed_at.slice(0, 10)}-${task.id}-${record.environment}.md`);
  if (rel.startsWith('../') || path.isAbsolute(rel)) throw new Error(`infrastructure.path '${place.folder}' leaves the repository`);
  const file = path.join(place.repo, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, documentText(project, task, record, approver));
  const identity = await ownIdentity(git);
  await git.raw(['add', '--', rel]);
  const message = `provision(${project}/${record.environment}): ${task.resource ?? task.id} — ${record.outcome}, approved by ${approver}\n\nTask ${task.id}; plan sha256 ${record.plan_sha256 ?? 'none'}.`;
  await git.raw([...identity, 'commit', '--only', '-m', message, '--', rel]);
  const commit = (await git.raw(['rev-parse', 'HEAD'])).trim();
  return { file: rel, commit };
}

// A repository without user.name / user.email still gets the document, committed as the loop.
async function ownIdentity(git: import('simple-git').SimpleGit): Promise<string[]> {
  const name = (await git.raw(['config', 'user.name']).catch(() => '')).trim();
  const email = (await git.raw(['config', 'user.email']).catch(() => '')).trim();
  return [...(name ? [] : ['-c', 'user.name=autonomous-loop']), ...(email ? [] : ['-c', 'user.email=autonomous-loop@localhost'])];
}

function documentText(project: string, task: TaskSpec, r: ProvisioningRecordInput, approver: string): string {
  const bc = task.businessCase;
  const money = (n: number | null): string => (n === null ? 'none' : `$${n.toFixed(2)}/month`);
  return [
    `# ${task.resource ?? task.id}`,
    '',
    `- Project: ${project}`,
    `- Environment: ${r.environment}`,
    `- Task: ${task.id}`,
    `- Outcome: ${r.outcome} (${r.completed_at})`,
    `- Approved by: ${approver}`,
    `- Plan file sha256: ${r.plan_sha256 ?? 'none'}`,
    '',
    '## Business case',
    '',
    `**Justification:** ${bc?.justification ?? '(none)'}`,
    '',
    `**Cost estimate:** ${bc ? `$${bc.costEstimate.monthlyUsd}/month (${bc.costEstimate.basis})` : '(none)'}`,
    '',
    '**Alternatives considered:**',
    '',
    ...(bc?.alternatives ?? []).map((a, i) => `${i + 1}. ${a.option} (rejected: ${a.rejectedBecause})`),
    '',
    '**Risk assessment:**',
    '',
    `- Security: ${bc?.risk.security ?? '(none)'}`,
    `- Operational: ${bc?.risk.operational ?? '(none)'}`,
    `- Data loss: ${bc?.risk.dataLoss ?? '(none)'}`,
    '',
    '## Plan',
    '',
    ...r.plan_summary.map((l) => `- \`${l}\``),
    '',
    '## Cost',
    '',
    `- Estimate: ${money(r.cost.estimate_monthly_usd)}; cost tool: ${money(r.cost.tool_monthly_usd)}; budget: ${money(r.cost.budget_monthly_usd)}; margin ${r.cost.margin_percent}%`,
    ...r.cost.notes.map((n) => `- ${n}`),
    '',
    '## Guardrail findings',
    '',
    ...(r.findings.length === 0 ? ['None.'] : r.findings.map((f) => `- [${f.severity}] ${f.rule} \`${f.address}\`: ${f.detail}${f.suppressed ? ` (safety exception: ${f.exception ?? ''})` : ''}`)),
    '',
    '## Applied',
    '',
    ...(r.applied.length === 0 ? ['Nothing.'] : r.applied.map((a) => `- \`${a}\``)),
    ...(r.errors.length > 0 ? ['', '## Errors', '', ...r.errors.map((e) => `- ${e}`)] : []),
    '',
  ].join('\n');
}
