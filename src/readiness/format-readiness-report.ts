import { AREAS } from './areas.js';
import { NOT_ASSESSED_WEIGHT, SEVERITY_WEIGHTS } from './score.js';
import type { ReadinessFinding, ReadinessReport } from './types.js';

/** `1 BLOCKER, 2 HIGH, 0 MEDIUM, 1 LOW — score 43/100 — BLOCKED` */
export function formatSummaryLine(report: ReadinessReport): string {
  const { counts } = report;
  return `${counts.BLOCKER} BLOCKER, ${counts.HIGH} HIGH, ${counts.MEDIUM} MEDIUM, ${counts.LOW} LOW — score ${report.score}/100 — ${report.verdict}`;
}

const VERDICT_TEXT: Record<ReadinessReport['verdict'], string> = {
  BLOCKED: 'BLOCKED: a BLOCKER stops a production deployment until it is fixed (or a person overrides it)',
  'NOT READY': 'NOT READY: no BLOCKER, but HIGH findings an operator would not sign off',
  READY: 'READY: no BLOCKER and no HIGH finding',
};

/** The review as Markdown: what the terminal shows and what .aibrain/reviews/ keeps. */
export function formatReadinessReport(report: ReadinessReport): string {
  const out: string[] = [
    `# Production readiness review: ${report.project}`,
    '',
    `- Project: ${report.path}`,
    `- Environment: ${report.environment}`,
    `- Taken for: ${describeProfile(report)}`,
    `- Migrations: ${report.migrations.basis}`,
    `- Verdict: ${VERDICT_TEXT[report.verdict]}`,
    '',
    `**Summary: ${formatSummaryLine(report)}**`,
    '',
  ];
  if (report.topActions.length > 0) out.push('## Top actions', '', ...report.topActions.map((a, i) => `${i + 1}. ${a}`), '');
  out.push('## Findings by area', '');
  if (report.findings.length === 0) out.push('None.', '');
  for (const { area, title } of AREAS) {
    const own = report.findings.filter((f) => f.area === area);
    if (own.length === 0) continue;
    const score = report.areas.find((a) => a.area === area)?.score;
    out.push(`### ${title} (area score ${score ?? 'n/a'}/100)`, '');
    for (const f of own) out.push(...formatFinding(f));
  }
  out.push('## Score', '', '| Area | Weight | Score | Findings | Points lost for |', '|---|---|---|---|---|');
  for (const a of report.areas) out.push(`| ${a.title} | ${a.weight} | ${a.score === null ? 'n/a (no check applies)' : a.score} | ${a.findings} | ${escapeCell(shorten(a.deductions.join('; '), 400))} |`);
  out.push(
    '',
    `Each area starts at 100 and loses ${SEVERITY_WEIGHTS.BLOCKER} per BLOCKER, ${SEVERITY_WEIGHTS.HIGH} per HIGH, ${SEVERITY_WEIGHTS.MEDIUM} per MEDIUM and ${SEVERITY_WEIGHTS.LOW} per LOW (never below 0); an area a check applies to but could not assess loses ${NOT_ASSESSED_WEIGHT} (an unknown is a gap, not a pass); the score is the mean of the areas that apply, weighted as above. The verdict does not come from the score: any BLOCKER blocks.`,
    '',
  );
  out.push('## Checks', '', '| Area | Rule | Result | Detail |', '|---|---|---|---|');
  for (const c of report.checks) {
    const result = c.status === 'pass' ? 'pass' : c.status === 'finding' ? 'FINDING' : c.status === 'not-assessed' ? 'NOT ASSESSED' : 'n/a';
    out.push(`| ${c.area} | ${c.rule} | ${result} | ${escapeCell(shorten(c.detail, 600))} |`);
  }
  out.push('', ...formatCoverage(report), '');
  return out.join('\n');
}

function formatFinding(f: ReadinessFinding): string[] {
  const out = [`#### ${f.id}: ${f.title} [${f.severity}]`, '', `**Location:** \`${f.location}\``, `**Effort:** ${f.effort} (~${f.effortHours} h)`, '', `**Issue:** ${f.issue}`, ''];
  out.push('**Evidence:**', '```', f.evidence, '```', '', `**Recommendation:** ${f.recommendation}`, '');
  if (f.snippet) out.push('```', f.snippet, '```', '');
  return out;
}

function formatCoverage(report: ReadinessReport): string[] {
  const c = report.coverage;
  const line = `Read ${c.filesRead} file(s), ${formatBytes(c.bytesRead)} of a ${formatBytes(c.budgetBytes)} budget.`;
  if (c.skippedCount === 0) return ['## Coverage', '', line];
  return [
    '## Coverage',
    '',
    `${line} Not read: ${c.skippedCount} file(s), ${formatBytes(c.skippedBytes)} — findings may be missing for them:`,
    ...c.skipped.map((s) => `- ${s.file} (${formatBytes(s.bytes)}, ${s.why})`),
    ...(c.skippedCount > c.skipped.length ? [`- … and ${c.skippedCount - c.skipped.length} more`] : []),
  ];
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;
}

function describeProfile(report: ReadinessReport): string {
  const languages = report.profile.languages.length > 0 ? report.profile.languages.join(' + ') : 'no JavaScript/TypeScript or Python code';
  const kind = report.profile.webApp ? `web app (${report.profile.webApp})` : report.profile.service ? `service (${report.profile.service})` : 'not a service (library or tool)';
  return `${languages}; stack ${report.profile.stack}; ${kind}`;
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, '<br>');
}
