import { statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { READINESS_RULES } from './readiness-rules.js';
import type { ReadinessRule } from './checks/rule.js';
import { createReviewContext, type ReviewContext } from './review-context.js';
import { areaOrder, countBySeverity, decideVerdict, scoreAreas, scoreFindings } from './score.js';
import { READINESS_SEVERITIES, type DraftFinding, type ReadinessCheck, type ReadinessFinding, type ReadinessReport, type ReviewInput } from './types.js';

const HOURS = { S: 1, M: 3, L: 8 } as const;

/** Reviews the project's repository for production readiness; a BLOCKER makes the report `blocked`. */
export async function reviewReadiness(input: ReviewInput): Promise<ReadinessReport> {
  const projectPath = path.resolve(input.projectPath);
  let isDir = false;
  try {
    isDir = statSync(projectPath).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new InputError(`readiness: the project folder ${projectPath} does not exist or is not a folder`);
  const ctx = await createReviewContext(input, projectPath);
  const reviewable = ctx.files.code({ tests: true }).length > 0 || ctx.files.files.some((f) => /\.sql$|(?:^|\/)Dockerfile$/.test(f.rel));
  if (!reviewable) {
    throw new InputError(
      `readiness: nothing to review in ${projectPath}: no JavaScript/TypeScript or Python code, SQL migrations or Dockerfile (${ctx.files.files.length} file(s) looked at); point the project file's path at the service's repository`,
    );
  }
  const drafts: Array<Omit<ReadinessFinding, 'id'> & { order: number }> = [];
  const checks: ReadinessCheck[] = [];
  for (const [order, rule] of READINESS_RULES.entries()) {
    const outcome = await rule.run(ctx);
    drafts.push(...outcome.findings.map((f) => ({ ...complete(f, rule, ctx), order })));
    checks.push({
      rule: rule.id,
      title: rule.title,
      area: rule.area,
      status: outcome.notAssessed ? 'not-assessed' : outcome.findings.length > 0 ? 'finding' : outcome.notApplicable ? 'not-applicable' : 'pass',
      detail: [
        outcome.notAssessed ? `not assessed: ${outcome.notAssessed}` : '',
        outcome.findings.length > 0 ? outcome.findings.map((f) => `${f.severity} ${f.title}`).join('; ') : outcome.notAssessed ? '' : (outcome.notApplicable ?? outcome.passed ?? 'nothing to report'),
      ].filter(Boolean).join('; '),
    });
  }
  const rank = (s: DraftFinding['severity']): number => READINESS_SEVERITIES.indexOf(s);
  drafts.sort((a, b) => rank(a.severity) - rank(b.severity) || areaOrder(a.area) - areaOrder(b.area) || a.order - b.order);
  const findings = drafts.map(({ order: _order, ...f }, i) => ({ ...f, id: `OPERATOR-${String(i + 1).padStart(3, '0')}` }));
  const counts = countBySeverity(findings);
  const areas = scoreAreas(findings, checks);
  const verdict = decideVerdict(counts);
  return {
    project: input.project,
    path: projectPath,
    environment: input.environment,
    findings,
    counts,
    score: scoreFindings(areas),
    areas,
    verdict,
    blocked: verdict === 'BLOCKED',
    topActions: findings
      .filter((f) => f.severity === 'BLOCKER' || f.severity === 'HIGH')
      .slice(0, 5)
      .map((f) => `${f.id} [${f.severity}] ${f.title} (${f.location}; ~${f.effortHours} h)`),
    checks,
    profile: { languages: ctx.languages, webApp: ctx.webApp, service: ctx.service, stack: ctx.stack },
    migrations: ctx.migrationState,
    coverage: ctx.files.coverage(),
  };
}

/** Fills what the rule knows for every finding: the area, the Issue paragraph, the hours, the snippet for this stack. */
function complete(draft: DraftFinding, rule: ReadinessRule, ctx: ReviewContext): Omit<ReadinessFinding, 'id'> {
  const snippet = draft.snippet ?? rule.snippets?.[ctx.stack] ?? rule.snippets?.default;
  return {
    ...draft,
    area: draft.area ?? rule.area,
    issue: draft.issue ?? rule.impact,
    effortHours: draft.effortHours ?? HOURS[draft.effort],
    ...(snippet !== undefined ? { snippet } : {}),
  };
}
