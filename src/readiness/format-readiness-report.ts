import type { ReadinessReport } from './types.js';

/** `1 BLOCKER, 2 HIGH, 0 MEDIUM, 1 LOW — score 43/100` */
export function formatSummaryLine(report: ReadinessReport): string {
  const { counts } = report;
  return `${counts.BLOCKER} BLOCKER, ${counts.HIGH} HIGH, ${counts.MEDIUM} MEDIUM, ${counts.LOW} LOW — score ${report.score}/100`;
}

/** The review as Markdown: what the terminal shows and what .aibrain/reviews/ keeps. */
export function formatReadinessReport(report: ReadinessReport): string {
  const verdict = report.blocked
    ? `BLOCKED: ${report.counts.BLOCKER} BLOCKER finding${report.counts.BLOCKER === 1 ? '' : 's'} stop${report.counts.BLOCKER === 1 ? 's' : ''} a production deployment`
    : report.findings.length === 0
      ? 'READY: no findings'
      : 'READY: no BLOCKER (the findings below should still be fixed)';
  const out: string[] = [
    `# Production readiness review: ${report.project}`,
    '',
    `- Project: ${report.path}`,
    `- Environment: ${report.environment}`,
    `- Taken for: ${describeProfile(report)}`,
    `- Verdict: ${verdict}`,
    '',
    `**Summary: ${formatSummaryLine(report)}**`,
    '',
    '## Findings',
    '',
  ];
  if (report.findings.length === 0) out.push('None.', '');
  for (const f of report.findings) {
    out.push(`### ${f.id}: ${f.title}`, '');
    out.push(`- Severity: ${f.severity}`);
    out.push(`- Rule: ${f.rule}`);
    out.push(`- Location: ${f.location}`);
    out.push(`- Effort: ${f.effort}`);
    const [head = '', ...rest] = f.evidence.split('\n');
    if (rest.length === 0) out.push(`- Evidence: ${head}`);
    else if (head.endsWith(':')) out.push(`- Evidence: ${head}`, ...rest.map((line) => `  - ${line}`));
    else out.push('- Evidence:', ...[head, ...rest].map((line) => `  - ${line}`));
    out.push(`- Recommendation: ${f.recommendation}`, '');
  }
  out.push('## Checks', '', '| Rule | Result | Detail |', '|---|---|---|');
  for (const c of report.checks) {
    const result = c.status === 'pass' ? 'pass' : c.status === 'finding' ? 'FINDING' : 'n/a';
    out.push(`| ${c.rule} | ${result} | ${escapeCell(c.detail)} |`);
  }
  out.push('');
  return out.join('\n');
}

function describeProfile(report: ReadinessReport): string {
  const languages = report.profile.languages.length > 0 ? report.profile.languages.join(' + ') : 'no JavaScript/TypeScript or Python code';
  const kind = report.profile.webApp ? `web app (${report.profile.webApp})` : report.profile.service ? `service (${report.profile.service})` : 'not a service (library or tool)';
  return `${languages}; ${kind}`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, '<br>');
}
