import { loadContract } from '../../gates/contract.js';
import { formatMigrationReport, validateMigrations } from '../../guardrails/index.js';
import { resolveWorkspace } from '../../workspace/paths.js';
import { parseDialect, parseEnvironment } from './scan.js';

export interface ValidateMigrationsOptions {
  env: string;
  root: string;
  json: boolean;
  dialect?: string;
}

/** `validate-migrations <path> --env <e>`: exit 1 when a migration fails validation for that environment. */
export async function validateMigrationsCommand(dir: string, opts: ValidateMigrationsOptions): Promise<void> {
  const environment = parseEnvironment(opts.env);
  const ws = resolveWorkspace(opts.root);
  const severityOverrides = loadContract(ws).severity_overrides[environment];
  const report = await validateMigrations(dir, {
    environment,
    rulePackDirs: [ws.guardrailsDir],
    ...(severityOverrides ? { severityOverrides } : {}),
    ...(opts.dialect === undefined ? {} : { dialect: parseDialect(opts.dialect) }),
  });
  if (opts.json) {
    const findings = [...report.errors, ...report.warnings].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
    process.stdout.write(`${JSON.stringify({ ...report, findings }, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatMigrationReport(report)}\n`);
  }
  if (!report.ok) process.exitCode = 1;
}
