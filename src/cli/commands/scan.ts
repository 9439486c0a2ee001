import { InputError } from '../../errors.js';
import { loadContract } from '../../gates/contract.js';
import { SEVERITIES, type Severity, formatViolations, isAtOrAbove, scanPaths } from '../../guardrails/index.js';
import { type Environment, normalizeEnvironment } from '../../workspace/environment.js';
import { resolveWorkspace } from '../../workspace/paths.js';

export interface ScanCommandOptions {
  root: string;
  json: boolean;
  failOn: string;
  env?: string;
}

/** `scan <paths...>`: SQL, migration and S3 findings; exit 1 when one is at or above --fail-on. */
export async function scanCommand(paths: string[], opts: ScanCommandOptions): Promise<void> {
  const failOn = parseSeverity(opts.failOn);
  const environment = opts.env === undefined ? undefined : parseEnvironment(opts.env);
  const ws = resolveWorkspace(opts.root);
  const severityOverrides = environment ? loadContract(ws).severity_overrides[environment] : undefined;
  const { findings, filesScanned } = await scanPaths(paths, {
    rulePackDirs: [ws.guardrailsDir],
    ...(environment ? { environment } : {}),
    ...(severityOverrides ? { severityOverrides } : {}),
  });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ findings, files_scanned: filesScanned }, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatViolations(findings, { filesScanned })}\n`);
  }
  if (findings.some((f) => !f.suppressed && isAtOrAbove(f.severity, failOn))) process.exitCode = 1;
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
