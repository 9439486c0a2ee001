import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatReadinessReport, SEVERITY_WEIGHTS } from '../../src/readiness/index.js';
import { fixturesDir, review } from './helpers/temp-project.js';

// A database with nothing applied: every migration pending, and known to be.
const NOTHING_APPLIED = { basis: 'a new database: nothing applied', applied: [] };
const summary = (report: Awaited<ReturnType<typeof review>>): string[] => report.findings.map((f) => `${f.id} ${f.severity} ${f.rule}: ${f.title}`);

describe('the fixture projects', () => {
  it('a JS/TS service with the classic gaps is BLOCKED with the expected findings', async () => {
    const report = await review(path.join(fixturesDir, 'js-gaps'), { healthCheckConfigured: false, appliedMigrations: NOTHING_APPLIED });
    expect(summary(report)).toEqual([
      'OPERATOR-001 BLOCKER rollback-procedure: No rollback procedure',
      'OPERATOR-002 BLOCKER migrations: Destructive migration without a safety plan',
      'OPERATOR-003 HIGH runbook: No runbook',
      'OPERATOR-004 HIGH deploy-docs: No deployment guide',
      'OPERATOR-005 HIGH env-secret-default: Secrets with a literal default in the code',
      'OPERATOR-006 HIGH health-endpoint: No health endpoint',
      'OPERATOR-007 HIGH ci-tests: No CI configuration',
      'OPERATOR-008 HIGH graceful-shutdown: No graceful shutdown on SIGTERM',
      'OPERATOR-009 HIGH http-timeouts: 2 outgoing HTTP calls without a timeout',
      'OPERATOR-010 MEDIUM env-documented: 2 environment variables not documented',
      'OPERATOR-011 MEDIUM structured-logging: No structured logging',
      'OPERATOR-012 MEDIUM correlation-ids: No correlation id on requests',
      'OPERATOR-013 MEDIUM version-consistency: CHANGELOG has no entry for 1.4.0',
      'OPERATOR-014 MEDIUM error-handling: No global error handler',
      'OPERATOR-015 MEDIUM security-headers: No security headers',
      'OPERATOR-016 MEDIUM backup-recovery: No backup and restore procedure',
      'OPERATOR-017 MEDIUM request-timeouts: No request timeout',
    ]);
    expect(report.counts).toEqual({ BLOCKER: 2, HIGH: 7, MEDIUM: 8, LOW: 0 });
    expect(report.score).toBeGreaterThan(20);
    expect(report.score).toBeLessThan(50);
    expect(report.blocked).toBe(true);
    const byRule = Object.fromEntries(report.findings.map((f) => [f.rule, f]));
    expect(byRule['migrations']?.location).toBe('migrations/002_drop_legacy_sessions.up.sql:1');
    expect(byRule['http-timeouts']?.evidence).toBe('src/payments.js:12: fetch() with no signal\nsrc/payments.js:20: axios.get() with no timeout');
    expect(byRule['env-secret-default']?.evidence).toBe(
      'src/config.js:2: JWT_SECRET falls back to "orde…" (22 characters) (process.env destructuring)\nsrc/config.js:8: SESSION_SECRET falls back to "keyb…" (12 characters) (process.env)',
    );
    expect(byRule['env-documented']?.evidence).not.toMatch(/TEST_|OLD_FEATURE_FLAG|NODE_ENV/);
  });

  it('a Python service with gaps is BLOCKED with the expected findings', async () => {
    const report = await review(path.join(fixturesDir, 'py-gaps'), { environment: 'staging', healthCheckConfigured: false, appliedMigrations: NOTHING_APPLIED });
    expect(summary(report)).toEqual([
      'OPERATOR-001 BLOCKER rollback-procedure: No rollback procedure',
      'OPERATOR-002 BLOCKER migrations: Destructive migration without a safety plan',
      'OPERATOR-003 HIGH runbook: No runbook',
      'OPERATOR-004 HIGH deploy-docs: Deployment guide has nothing to follow',
      'OPERATOR-005 HIGH env-secret-default: Secrets with a literal default in the code',
      'OPERATOR-006 HIGH health-endpoint: No health endpoint',
      'OPERATOR-007 HIGH graceful-shutdown: No graceful shutdown on SIGTERM',
      'OPERATOR-008 HIGH http-timeouts: 1 outgoing HTTP call without a timeout',
      'OPERATOR-009 MEDIUM env-documented: 2 environment variables not documented',
      'OPERATOR-010 MEDIUM structured-logging: No structured logging',
      'OPERATOR-011 MEDIUM correlation-ids: No correlation id on requests',
      'OPERATOR-012 MEDIUM version-consistency: Manifests disagree on the version',
      'OPERATOR-013 MEDIUM ci-tests: CI does not run the tests',
      'OPERATOR-014 MEDIUM security-headers: No security headers',
      'OPERATOR-015 MEDIUM backup-recovery: No backup and restore procedure',
      'OPERATOR-016 MEDIUM request-timeouts: No request timeout',
    ]);
    const byRule = Object.fromEntries(report.findings.map((f) => [f.rule, f]));
    expect(byRule['migrations']?.location).toBe('alembic/versions/9f8e7d6c5b4a_drop_legacy_code.py:13');
    expect(byRule['http-timeouts']?.evidence).toBe('inventory/app.py:19: requests.get() with no timeout');
    // Variables with a default (PORT, INVENTORY_PAGE_SIZE, the secrets reported above) are optional to set.
    expect(byRule['env-documented']?.evidence.split('\n').slice(1).map((l) => l.split(' ')[0])).toEqual(['CACHE_URL', 'INVENTORY_DATABASE_URL']);
    expect(byRule['version-consistency']?.evidence).toBe('pyproject.toml:3: 0.2.0\ninventory/__init__.py:3: 0.3.0');
  });

  it('good projects of both languages pass with a score of 100', async () => {
    for (const name of ['good-service', 'good-django']) {
      const report = await review(path.join(fixturesDir, name), { healthCheckConfigured: true, appliedMigrations: NOTHING_APPLIED });
      expect(summary(report), name).toEqual([]);
      expect(report.score).toBe(100);
      expect(report.blocked).toBe(false);
      expect(report.verdict).toBe('READY');
      expect(report.checks.every((c) => c.status !== 'finding'), JSON.stringify(report.checks)).toBe(true);
    }
  });

  it('the demo project passes: its runbook, rollback procedure and health endpoint are found', async () => {
    const report = await review(path.join(fixturesDir, '..', '..', '..', 'examples', 'demo-app'), { healthCheckConfigured: true, appliedMigrations: NOTHING_APPLIED });
    expect(report.blocked).toBe(false);
    for (const rule of ['runbook', 'rollback-procedure', 'health-endpoint', 'migrations', 'graceful-shutdown']) {
      expect(report.checks.find((c) => c.rule === rule)?.status, rule).toBe('pass');
    }
  });

  it('formats the report a person acts on: areas, Issue, quoted Evidence, hours, a snippet for the stack, top actions, the score explained', async () => {
    const report = await review(path.join(fixturesDir, 'js-gaps'), { appliedMigrations: NOTHING_APPLIED });
    const text = formatReadinessReport(report);
    expect(text).toContain(`**Summary: 2 BLOCKER, 7 HIGH, 8 MEDIUM, 0 LOW — score ${report.score}/100 — BLOCKED**`);
    expect(text).toContain('## Top actions\n\n1. OPERATOR-001 [BLOCKER] No rollback procedure');
    expect(text).toContain('### Deployment documentation (area score 0/100)');
    expect(text).toContain('#### OPERATOR-001: No rollback procedure [BLOCKER]\n\n**Location:** `missing: a rollback procedure');
    expect(text).toMatch(/\*\*Effort:\*\* M \(~3 h\)\n\n\*\*Issue:\*\* When a release goes wrong/);
    expect(text).toContain("**Evidence:**\n```\nsrc/payments.js:12: fetch() with no signal");
    expect(text).toContain("app.use((err, req, res, next) => {");
    expect(text).toContain('| Security headers & HTTPS | 6 | 80 | 1 | -20 MEDIUM No security headers |');
    expect(text).toContain('| health | health-endpoint | FINDING | HIGH No health endpoint |');
    expect(text).toMatch(/Each area starts at 100 and loses 100 per BLOCKER, 45 per HIGH, 20 per MEDIUM and 8 per LOW/);
    expect(SEVERITY_WEIGHTS).toEqual({ BLOCKER: 100, HIGH: 45, MEDIUM: 20, LOW: 8 });
    const finding = report.findings[0];
    expect(finding && Object.keys(finding).sort()).toEqual(['area', 'effort', 'effortHours', 'evidence', 'id', 'issue', 'location', 'recommendation', 'rule', 'severity', 'snippet', 'title']);
  });

  it('the better-run project scores above the worse one', async () => {
    const scores = await Promise.all(['good-service', 'good-django', 'py-gaps', 'js-gaps'].map(async (name) => (await review(path.join(fixturesDir, name), { healthCheckConfigured: true })).score));
    expect(scores[0]).toBeGreaterThan(scores[2] ?? 100);
    expect(scores[1]).toBeGreaterThan(scores[3] ?? 100);
    expect(new Set(scores).size).toBeGreaterThan(2);
  });
});
