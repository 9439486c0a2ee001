import { loadContract } from '../../gates/contract.js';
import { type MigrationCheck, formatMigrationReport, validateMigrations } from '../../guardrails/index.js';
import { resolveWorkspace } from '../../workspace/paths.js';
import { parseDialect, parseEnvironment } from './scan.js';

export interface ValidateMigrationsOptions {
  env: string;
  root: string;
  json: boolean;
  dialect?: string;
  allowUnread?: boolean;
}

/** `validate-migrations <path> --env <e>`: exit 1 when a migration fails validation for that environment. `--json` streams. */
export async function validateMigrationsCommand(dir: string, opts: ValidateMigrationsOptions): Promise<void> {
  const environment = parseEnvironment(opts.env);
  const ws = resolveWorkspace(opts.root);
  const severityOverrides = loadContract(ws).severity_overrides[environment];
  const options = {
    environment,
    rulePackDirs: [ws.guardrailsDir],
    ...(severityOverrides ? { severityOverrides } : {}),
    ...(opts.dialect === undefined ? {} : { dialect: parseDialect(opts.dialect) }),
    ...(opts.allowUnread ? { allowUnread: true } : {}),
  };
  let report;
  if (opts.json) {
    // Streamed: each migration's check is written as soon as it is known; the verdict comes last.
    // The opening is written with the first check, so an error before it leaves stdout to the error.
    const opening = `{"environment": ${JSON.stringify(environment)}, "migrations": [`;
    let written = 0;
    report = await validateMigrations(dir, options, (check: MigrationCheck) => {
      process.stdout.write(`${written++ === 0 ? `${opening}\n` : ',\n'}  ${JSON.stringify(check)}`);
    });
    const findings = [...report.errors, ...report.warnings].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
    if (written === 0) process.stdout.write(opening);
    const list = (items: unknown[]): string => (items.length === 0 ? '[]' : `[\n${items.map((i) => `  ${JSON.stringify(i)}`).join(',\n')}\n]`);
    process.stdout.write(`${written === 0 ? '' : '\n'}],\n"errors": ${list(report.errors)},\n"warnings": ${list(report.warnings)},\n"findings": ${list(findings)},\n"ok": ${report.ok}}\n`);
  } else {
    report = await validateMigrations(dir, options);
    process.stdout.write(`${formatMigrationReport(report)}\n`);
  }
  if (!report.ok) process.exitCode = 1;
}
