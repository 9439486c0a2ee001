import { InputError } from '../../errors.js';
// The scan path's own modules, not the guardrails' index: a scan starts without the migration
// validator and the code scanners (they load with the first file that needs them).
import { type Finding, SEVERITIES, type Severity, isAtOrAbove, isUnread } from '../../guardrails/finding.js';
import { formatViolations } from '../../guardrails/format-report.js';
import { startWithoutOptimizingCompiler } from '../../guardrails/optimizing-compiler.js';
import { scanPaths } from '../../guardrails/scan-paths.js';
import { StreamedOutput, formatJsonTail } from './scan-output.js';
import { type Environment, normalizeEnvironment } from '../../workspace/environment.js';
import { resolveWorkspace } from '../../workspace/paths.js';

export interface ScanCommandOptions {
  root: string;
  json: boolean;
  failOn: string;
  env?: string;
  dialect?: string;
  allowUnread?: boolean;
}

/**
 * `scan <paths...>`: SQL, migration and S3 findings; exit 1 when one is at or above --fail-on, or
 * when something could not be read (fail closed). `--json` streams findings file by file.
 */
export async function scanCommand(paths: string[], opts: ScanCommandOptions): Promise<void> {
  const failOn = parseSeverity(opts.failOn);
  const environment = opts.env === undefined ? undefined : parseEnvironment(opts.env);
  const dialect = opts.dialect === undefined ? undefined : parseDialect(opts.dialect);
  const ws = resolveWorkspace(opts.root);
  // The contract (and the schema library that checks it) loads only when an environment is named.
  const severityOverrides = environment ? (await import('../../gates/contract.js')).loadContract(ws).severity_overrides[environment] : undefined;
  const options = {
    rulePackDirs: [ws.guardrailsDir],
    ...(environment ? { environment } : {}),
    ...(severityOverrides ? { severityOverrides } : {}),
    ...(dialect ? { dialect } : {}),
  };
  // This process only scans: V8's optimizing compiler comes in once the text read makes it pay.
  startWithoutOptimizingCompiler();
  let failed = false;
  const judge = (f: Finding): void => {
    if (f.suppressed) return;
    if (isUnread(f) ? !opts.allowUnread : isAtOrAbove(f.severity, failOn)) failed = true;
  };
  if (opts.json) {
    // Written as found, at the pace the reader takes it (scan-output.ts): never the whole output in memory.
    const out = new StreamedOutput(process.stdout);
    let first = true;
    await out.write('{"findings": [');
    await out.flush();
    const result = await scanPaths(paths, options, async (found) => {
      for (const f of found) {
        judge(f);
        const full = out.write(`${first ? '\n' : ',\n'}  ${JSON.stringify(f)}`);
        if (full) await full;
        first = false;
      }
      await out.flush(); // file by file
    });
    await out.write(`${first ? '' : '\n'}],\n`);
    for (const piece of formatJsonTail({ files_scanned: result.filesScanned, not_scanned: result.notScanned, parse_errors: result.parseErrors })) await out.write(piece);
    await out.write('\n');
    await out.flush();
  } else {
    const result = await scanPaths(paths, options);
    result.findings.forEach(judge);
    process.stdout.write(`${formatViolations(result.findings, result)}\n`);
  }
  if (failed) process.exitCode = 1;
}

export function parseSeverity(value: string): Severity {
  const upper = value.trim().toUpperCase();
  const found = SEVERITIES.find((s) => s === upper);
  if (!found) throw new InputError(`--fail-on: '${value}' is not a severity (${SEVERITIES.join(', ')})`);
  return found;
}

export function parseEnvironment(value: string): Environment {
  const environment = normalizeEnvironment(value);
  if (!environment) throw new InputError(`--env: '${value}' is not an environment (development, staging, production; dev, stage, prod)`);
  return environment;
}

export function parseDialect(value: string): 'postgres' | 'mysql' | 'sqlite' | 'cockroachdb' {
  const v = value.trim().toLowerCase();
  if (v === 'postgres' || v === 'postgresql' || v === 'pg') return 'postgres';
  if (v === 'mysql' || v === 'mariadb') return 'mysql';
  if (v === 'sqlite' || v === 'sqlite3') return 'sqlite';
  if (v === 'cockroachdb' || v === 'cockroach' || v === 'crdb') return 'cockroachdb';
  throw new InputError(`--dialect: '${value}' is not a SQL dialect (postgres, mysql, sqlite, cockroachdb)`);
}
