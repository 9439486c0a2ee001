import { existsSync } from 'node:fs';
import type { BlockingFinding, PreflightCheck, StepJournal, Verdict } from '../agent.js';
import { isBlocking, isUnread, scanPaths, validateMigrations, type Finding, type MigrationCheck, type ScanOptions, type Severity } from '../../guardrails/index.js';
import type { Environment } from '../../workspace/environment.js';
import { reviewReadiness } from '../../readiness/index.js';
import { gatherAppliedMigrations } from '../readiness-agent.js';
import type { DeployTarget } from './deploy-target.js';
import { listChangedFiles } from './git-release.js';
import { describeFailure, runProjectCommand } from './run-project-command.js';

export interface PreflightOptions {
  version: string;
  runMigrations: boolean;
  severityOverrides?: Partial<Record<string, Severity>>;
  /** The last version deployed here: the change since its tag is scanned. */
  previousVersion?: string;
  /** Review production readiness (production deployments). */
  readiness: boolean;
  /** Rule ids a person has overridden for this task: findings of these rules do not block. */
  overridden?: ReadonlySet<string>;
  /** The contract's guardrails.allow_unread: what nothing could read does not block. */
  allowUnread?: boolean;
  /**
   * Run the project's build last, so the box shows its result: journaled as the iteration's own
   * 'build' step, which the deployment then takes instead of building again.
   */
  build?: boolean;
}

export interface PreflightResult {
  /** PASS: go on. FAIL: a test or migration validation failed. BLOCKED: a guardrail or readiness blocker. */
  verdict: Verdict;
  error?: string;
  findings?: BlockingFinding[];
  warnings: string[];
  checks: PreflightCheck[];
}

/**
 * Tests, the SQL/S3 scans of the migrations and of what changed since the last deployed version,
 * migration validation, and production readiness; stops at the first check that fails.
 */
export async function runPreflight(steps: StepJournal, target: DeployTarget, options: PreflightOptions): Promise<PreflightResult> {
  const checks: PreflightCheck[] = [];
  const warnings: string[] = [];
  const done = (verdict: Verdict, extra: Partial<PreflightResult> = {}): PreflightResult => ({ verdict, warnings, checks, ...extra });
  // Findings a person overrode (R/O/A, or `autonomous-loop override`) are warnings now, not a block.
  const overridden = (findings: BlockingFinding[]): boolean => {
    if (!options.overridden || findings.length === 0 || !findings.every((f) => options.overridden?.has(f.rule))) return false;
    warnings.push(`overridden by a person: ${findings.map((f) => f.rule).join(', ')}`);
    return true;
  };

  const test = target.section.commands.test;
  if (test) {
    const outcome = await steps.run('preflight:tests', () => runProjectCommand(target, 'test', test, options.version), { redoSafe: true });
    if (!outcome.ok) {
      const error = `tests failed: ${describeFailure(outcome)}`;
      checks.push({ check: 'tests', status: 'failed', detail: error });
      return done('FAIL', { error });
    }
    checks.push({ check: 'tests', status: 'passed', detail: `${outcome.argv.join(' ')} (${Math.round(outcome.durationMs)} ms)` });
  } else {
    warnings.push(`no test command for ${target.environment} in ${target.config.displayFile}: no tests ran`);
    checks.push({ check: 'tests', status: 'not run', detail: 'no test command configured' });
  }

  const scanOptions = scanOptionsFor(target, options.severityOverrides, options.allowUnread);
  const migrations = target.migrationsPath !== undefined && existsSync(target.migrationsPath) ? target.migrationsPath : undefined;
  const changed = options.previousVersion ? await listChangedFiles(target.config.git.repo, target.config.path, options.previousVersion) : [];
  const scanned = [...(migrations ? [migrations] : []), ...changed];
  if (scanned.length > 0) {
    const { findings } = await scanPaths(scanned, scanOptions);
    const what = `${migrations ? 'the migrations' : ''}${migrations && changed.length ? ' and ' : ''}${changed.length ? `${changed.length} file(s) changed since v${options.previousVersion}` : ''}`;
    const unread = options.allowUnread ? [] : findings.filter((f) => !f.suppressed && isUnread(f));
    if (unread.length > 0 && !overridden(unread.map(toBlockingFinding))) {
      checks.push({ check: 'safety scan', status: 'failed', detail: `${unread.length} file(s) or statement(s) in ${what} nothing could read` });
      return done('BLOCKED', { error: `guardrails: not read (contract guardrails.allow_unread lets it pass): ${describeFindings(unread)}`, findings: unread.map(toBlockingFinding) });
    }
    const critical = findings.filter((f) => !f.suppressed && f.severity === 'CRITICAL');
    if (isBlocking(findings) && !overridden(critical.map(toBlockingFinding))) {
      const blocking = critical;
      checks.push({ check: 'safety scan', status: 'failed', detail: `${blocking.length} critical finding(s) in ${what}` });
      return done('BLOCKED', { error: `guardrails: ${describeFindings(blocking)}`, findings: blocking.map(toBlockingFinding) });
    }
    const open = findings.filter((f) => !f.suppressed);
    warnings.push(...open.map(describeFinding));
    const suppressed = findings.length - open.length;
    checks.push({
      check: 'safety scan',
      status: open.length > 0 ? 'warning' : 'passed',
      detail: `${what}: ${open.length} finding(s), none critical${suppressed ? `; ${suppressed} allowed by a safety-exception comment` : ''}`,
    });
  } else {
    checks.push({ check: 'safety scan', status: 'not run', detail: 'no migrations and no change since a tagged release to scan' });
  }

  if (options.runMigrations && migrations) {
    const validation = await checkMigrations(migrations, scanOptions);
    warnings.push(...validation.warnings);
    checks.push(validation.check);
    if (validation.verdict !== 'PASS' && !(validation.verdict === 'BLOCKED' && overridden(validation.findings ?? []))) {
      return done(validation.verdict, { ...(validation.error ? { error: validation.error } : {}), ...(validation.findings ? { findings: validation.findings } : {}) });
    }
  } else if (options.runMigrations) {
    checks.push({ check: 'migration validation', status: 'not run', detail: 'the task names no migrations_path' });
  }

  if (options.readiness) {
    // What is applied there already: a destructive migration applied long ago blocks nothing now.
    const appliedMigrations = await steps.run('preflight:applied-migrations', () => gatherAppliedMigrations(target.workspace, target.config, target.environment), { redoSafe: true });
    const report = await reviewReadiness({
      project: target.project,
      projectPath: target.config.path,
      environment: target.environment,
      healthCheckConfigured: target.section.healthCheck !== undefined,
      rollbackConfigured: target.section.commands.rollback !== undefined,
      appliedMigrations,
      ...(target.migrationsPath !== undefined ? { migrationsPath: target.migrationsPath } : {}),
    });
    const blockers = report.findings.filter((f) => f.severity === 'BLOCKER');
    warnings.push(...report.findings.filter((f) => f.severity !== 'BLOCKER').map((f) => `${f.id} ${f.severity} ${f.title} (${f.location})`));
    const blockerFindings = blockers.map((f) => ({ rule: `${f.id} ${f.rule}`, severity: f.severity, message: `${f.title}: ${f.recommendation}`, location: f.location }));
    if (report.blocked && !overridden(blockerFindings)) {
      const detail = blockers.map((f) => `${f.id} ${f.title} (${f.location})`).join('; ');
      checks.push({ check: 'production readiness', status: 'failed', detail });
      return done('BLOCKED', {
        error: `production readiness: ${detail}`,
        findings: blockerFindings,
      });
    }
    const serious = report.findings.filter((f) => f.severity === 'BLOCKER' || f.severity === 'HIGH');
    checks.push({
      check: 'production readiness',
      status: report.findings.length ? 'warning' : 'passed',
      detail: `score ${report.score}, ${report.findings.length} finding(s), no blocker`,
      ...(serious.length > 0 ? { items: serious.map((f) => `${f.id} ${f.severity} ${f.title} (${f.location})`) } : {}),
    });
  }

  const build = target.section.commands.build;
  if (options.build && build) {
    const built = await steps.run('build', () => runProjectCommand(target, 'build', build, options.version), { redoSafe: true });
    if (!built.ok) {
      const error = `build failed: ${describeFailure(built)}`;
      checks.push({ check: 'build', status: 'failed', detail: error });
      return done('FAIL', { error });
    }
    const said = built.output.trim().split('\n').pop()?.trim();
    checks.push({ check: 'build', status: 'passed', detail: `${built.argv.join(' ')} (${Math.round(built.durationMs)} ms)${said ? `: ${said.slice(0, 120)}` : ''}` });
  } else if (options.build) {
    checks.push({ check: 'build', status: 'not run', detail: 'no build command configured' });
  }
  return done('PASS');
}

export interface MigrationValidation {
  verdict: Verdict;
  error?: string;
  findings?: BlockingFinding[];
  warnings: string[];
  check: PreflightCheck;
  /** How many migrations were validated. */
  count: number;
  /** Each migration as the validator saw it: its findings and whether it can be undone. */
  migrations: MigrationCheck[];
}

/** Validates every migration in `dir` for the environment: a critical finding BLOCKS, other errors FAIL. */
export async function checkMigrations(dir: string, scanOptions: ScanOptions & { environment: Environment }): Promise<MigrationValidation> {
  const report = await validateMigrations(dir, scanOptions);
  const warnings = report.warnings.filter((f) => !f.suppressed).map(describeFinding);
  const count = report.migrations.length;
  const migrations = report.migrations;
  if (report.ok) {
    return { verdict: 'PASS', warnings, count, migrations, check: { check: 'migration validation', status: 'passed', detail: `${count} migration(s) valid for ${scanOptions.environment}` } };
  }
  if (isBlocking(report.errors) || report.errors.some(isUnread)) {
    const blocking = report.errors.filter((f) => !f.suppressed && (f.severity === 'CRITICAL' || isUnread(f)));
    const error = `migration validation: ${describeFindings(blocking)}`;
    return { verdict: 'BLOCKED', error, findings: blocking.map(toBlockingFinding), warnings, count, migrations, check: { check: 'migration validation', status: 'failed', detail: error } };
  }
  const error = `migration validation failed: ${describeFindings(report.errors)}`;
  return { verdict: 'FAIL', error, warnings, count, migrations, check: { check: 'migration validation', status: 'failed', detail: error } };
}

/** The options the scanners get for a target: its environment, the contract's overrides, the workspace's rule packs. */
export function scanOptionsFor(
  target: DeployTarget,
  severityOverrides: Partial<Record<string, Severity>> | undefined,
  allowUnread = false,
): ScanOptions & { environment: Environment } {
  return {
    environment: target.environment,
    ...(allowUnread ? { allowUnread } : {}),
    ...(severityOverrides ? { severityOverrides } : {}),
    rulePackDirs: existsSync(target.workspace.guardrailsDir) ? [target.workspace.guardrailsDir] : [],
    cwd: target.config.path,
  };
}

function toBlockingFinding(f: Finding): BlockingFinding {
  return { rule: f.rule, severity: f.severity, message: f.fix ? `${f.message} (${f.fix})` : f.message, location: `${f.file}:${f.line}` };
}

function describeFinding(f: Finding): string {
  return `${f.file}:${f.line} ${f.severity} ${f.rule}: ${f.message}`;
}

function describeFindings(findings: Finding[]): string {
  const shown = findings.slice(0, 5).map(describeFinding).join('; ');
  return findings.length > 5 ? `${shown}; and ${findings.length - 5} more` : shown;
}
