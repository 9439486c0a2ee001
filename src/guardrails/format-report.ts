import { type Finding, type MigrationReport, SEVERITIES } from './finding.js';

/** The DEPLOYMENT SAFETY VIOLATIONS DETECTED block: unsuppressed findings by severity, then the suppressed ones. */
export function formatViolations(
  findings: Finding[],
  scanned?: { filesScanned: number; notScanned?: { file: string; reason: string }[]; parseErrors?: { length: number } },
): string {
  const active = findings.filter((f) => !f.suppressed);
  const suppressed = findings.filter((f) => f.suppressed);
  const lines: string[] = [];
  if (active.length === 0) {
    lines.push('No deployment safety violations detected.');
  } else {
    lines.push('DEPLOYMENT SAFETY VIOLATIONS DETECTED', '');
    for (const severity of SEVERITIES) {
      const group = active.filter((f) => f.severity === severity);
      if (group.length === 0) continue;
      lines.push(`${severity} (${group.length})`);
      for (const f of group) lines.push(...describe(f));
      lines.push('');
    }
  }
  if (suppressed.length > 0) {
    if (lines[lines.length - 1] !== '') lines.push('');
    lines.push(`Suppressed by safety-exception (${suppressed.length})`);
    for (const f of suppressed) lines.push(...describe(f));
    lines.push('');
  }
  const notScanned = scanned?.notScanned ?? [];
  if (notScanned.length > 0) {
    if (lines[lines.length - 1] !== '') lines.push('');
    lines.push(`Not scanned (${notScanned.length})`);
    for (const n of notScanned) lines.push(`  ${n.file}: ${n.reason}`);
    lines.push('');
  }
  const rejected = scanned?.parseErrors?.length ?? 0;
  lines.push(
    summary(findings) +
      (scanned ? ` in ${scanned.filesScanned} file(s) scanned` : '') +
      (notScanned.length > 0 ? `, ${notScanned.length} not scanned` : '') +
      (rejected > 0 ? `; ${rejected} statement(s) the PostgreSQL parser rejected were read by the tokenizer (--json: parse_errors)` : ''),
  );
  return lines.join('\n');
}

/** The migration report: MIGRATION VALIDATION FAILED (or passed) with upgrade/downgrade/reversible ticks. */
export function formatMigrationReport(report: MigrationReport): string {
  const lines: string[] = [];
  lines.push(report.ok ? `Migration validation passed (${report.environment})` : `MIGRATION VALIDATION FAILED (${report.environment})`, '');
  if (report.migrations.length === 0) lines.push('  no migrations found');
  for (const m of report.migrations) {
    const down = m.downFile && m.downFile !== m.file ? `  (down: ${m.downFile})` : '';
    lines.push(`  ${tick(m.upgrade)} upgrade  ${tick(m.downgrade)} downgrade  ${tick(m.reversible)} reversible   ${m.file} [${m.kind}]${down}`);
  }
  if (report.errors.length > 0) {
    lines.push('', `Errors (${report.errors.length})`);
    for (const f of report.errors) lines.push(...describe(f));
  }
  if (report.warnings.length > 0) {
    lines.push('', `Warnings (${report.warnings.length})`);
    for (const f of report.warnings) lines.push(...describe(f));
  }
  return lines.join('\n');
}

function describe(f: Finding): string[] {
  const target = f.target ? ` (${f.target})` : '';
  const out = [`  ${f.file}:${f.line}  ${f.severity}  ${f.rule}${target}${f.suppressed ? `  [suppressed: safety-exception${f.exception ? `: ${f.exception}` : ''}]` : ''}`, `    ${f.message}`];
  if (f.statement) out.push(`    > ${f.statement}`);
  if (f.fix) out.push(`    fix: ${f.fix}`);
  return out;
}

function tick(ok: boolean): string {
  return ok ? '✓' : '✗';
}

function summary(findings: Finding[]): string {
  const active = findings.filter((f) => !f.suppressed);
  const counts = SEVERITIES.map((s) => [s, active.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const suppressed = findings.length - active.length;
  const parts = counts.map(([s, n]) => `${n} ${s}`).join(', ');
  return `${active.length} finding(s)${parts ? ` (${parts})` : ''}${suppressed ? `, ${suppressed} suppressed` : ''}`;
}
