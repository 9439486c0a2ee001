import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatReadinessReport, SEVERITY_WEIGHTS } from '../../src/readiness/index.js';
import { fixturesDir, review } from './helpers/temp-project.js';

const summary = (report: Awaited<ReturnType<typeof review>>): string[] => report.findings.map((f) => `${f.id} ${f.severity} ${f.rule}: ${f.title}`);

describe('the fixture projects', () => {
  it('a JS/TS service with the classic gaps is BLOCKED with the expected findings', async () => {
    const report = await review(path.join(fixturesDir, 'js-gaps'), { healthCheckConfigured: false });
    expect(summary(report)).toEqual([
      'OPERATOR-001 BLOCKER runbook: No runbook',
      'OPERATOR-002 BLOCKER rollback-procedure: No rollback procedure',
      'OPERATOR-003 BLOCKER migrations-reversible: Destructive migration without a safety plan',
      'OPERATOR-004 HIGH deploy-docs: No deployment guide',
      'OPERATOR-005 HIGH health-endpoint: No health endpoint',
      'OPERATOR-006 HIGH graceful-shutdown: No graceful shutdown on SIGTERM',
      'OPERATOR-007 HIGH http-timeouts: 2 outgoing HTTP calls without a timeout',
      'OPERATOR-008 HIGH env-secret-default: Secrets with a literal default in the code',
      'OPERATOR-009 MEDIUM env-documented: 4 environment variables not documented',
      'OPERATOR-010 MEDIUM structured-logging: No structured logging',
      'OPERATOR-011 MEDIUM security-headers: No security headers',
      'OPERATOR-012 MEDIUM version-consistency: CHANGELOG has no entry for 1.4.0',
      'OPERATOR-013 LOW ci-tests: No CI configuration',
    ]);
    expect(report.counts).toEqual({ BLOCKER: 3, HIGH: 5, MEDIUM: 4, LOW: 1 });
    expect(report.score).toBe(0);
    expect(report.blocked).toBe(true);
    const byRule = Object.fromEntries(report.findings.map((f) => [f.rule, f]));
    expect(byRule['migrations-reversible']?.location).toBe('migrations/002_drop_legacy_sessions.up.sql:1');
    expect(byRule['http-timeouts']?.evidence).toBe('src/payments.js:12: fetch() with no signal\nsrc/payments.js:20: axios.get() with no timeout');
    expect(byRule['env-secret-default']?.evidence).toBe(
      'src/config.js:2: JWT_SECRET falls back to "orde…" (22 characters) (process.env destructuring)\nsrc/config.js:8: SESSION_SECRET falls back to "keyb…" (12 characters) (process.env)',
    );
    expect(byRule['env-documented']?.evidence).not.toMatch(/TEST_|OLD_FEATURE_FLAG|NODE_ENV/);
  });

  it('a Python service with gaps is BLOCKED with the expected findings', async () => {
    const report = await review(path.join(fixturesDir, 'py-gaps'), { environment: 'staging', healthCheckConfigured: false });
    expect(summary(report)).toEqual([
      'OPERATOR-001 BLOCKER rollback-procedure: No rollback procedure',
      'OPERATOR-002 BLOCKER migrations-reversible: Destructive migration without a safety plan',
      'OPERATOR-003 HIGH runbook: No runbook',
      'OPERATOR-004 HIGH health-endpoint: No health endpoint',
      'OPERATOR-005 HIGH graceful-shutdown: No graceful shutdown on SIGTERM',
      'OPERATOR-006 HIGH http-timeouts: 1 outgoing HTTP call without a timeout',
      'OPERATOR-007 HIGH env-secret-default: Secrets with a literal default in the code',
      'OPERATOR-008 MEDIUM deploy-docs: Deployment guide is incomplete',
      'OPERATOR-009 MEDIUM env-documented: 6 environment variables not documented',
      'OPERATOR-010 MEDIUM structured-logging: No structured logging',
      'OPERATOR-011 MEDIUM security-headers: No security headers',
      'OPERATOR-012 MEDIUM version-consistency: Manifests disagree on the version',
      'OPERATOR-013 LOW ci-tests: CI does not run the tests',
    ]);
    const byRule = Object.fromEntries(report.findings.map((f) => [f.rule, f]));
    expect(byRule['migrations-reversible']?.location).toBe('alembic/versions/9f8e7d6c5b4a_drop_legacy_code.py:13');
    expect(byRule['http-timeouts']?.evidence).toBe('inventory/app.py:19: requests.get() with no timeout');
    expect(byRule['env-documented']?.evidence.split('\n').slice(1).map((l) => l.split(' ')[0])).toEqual([
      'CACHE_URL',
      'INVENTORY_DATABASE_URL',
      'INVENTORY_PAGE_SIZE',
      'INVENTORY_SECRET_KEY',
      'PORT',
      'SUPPLIER_TOKEN',
    ]);
    expect(byRule['version-consistency']?.evidence).toBe('pyproject.toml:3: 0.2.0\ninventory/__init__.py:3: 0.3.0');
  });

  it('good projects of both languages pass with a score of 100', async () => {
    for (const name of ['good-service', 'good-django']) {
      const report = await review(path.join(fixturesDir, name), { healthCheckConfigured: true });
      expect(summary(report), name).toEqual([]);
      expect(report.score).toBe(100);
      expect(report.blocked).toBe(false);
      expect(report.checks.every((c) => c.status === 'pass'), JSON.stringify(report.checks)).toBe(true);
    }
  });

  it('the demo project passes: its runbook, rollback procedure and health endpoint are found', async () => {
    const report = await review(path.join(fixturesDir, '..', '..', '..', 'examples', 'demo-app'), { healthCheckConfigured: true });
    expect(report.blocked).toBe(false);
    for (const rule of ['runbook', 'rollback-procedure', 'health-endpoint', 'migrations-reversible', 'graceful-shutdown']) {
      expect(report.checks.find((c) => c.rule === rule)?.status, rule).toBe('pass');
    }
  });

  it('formats the report in the seed form: numbered findings, a summary line with counts and score', async () => {
    const report = await review(path.join(fixturesDir, 'js-gaps'));
    const text = formatReadinessReport(report);
    expect(text).toContain('**Summary: 3 BLOCKER, 5 HIGH, 4 MEDIUM, 1 LOW — score 0/100**');
    expect(text).toContain('### OPERATOR-001: No runbook\n\n- Severity: BLOCKER\n- Rule: runbook\n- Location: missing: a runbook');
    expect(text).toMatch(/- Effort: M\n- Evidence: .*\n- Recommendation: /);
    expect(text).toContain('| health-endpoint | FINDING | HIGH No health endpoint |');
    expect(SEVERITY_WEIGHTS).toEqual({ BLOCKER: 40, HIGH: 15, MEDIUM: 5, LOW: 2 });
  });
});
