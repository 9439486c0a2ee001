import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspaces, runCli } from '../helpers/workspace.js';
import { fixturesDir } from './helpers/temp-project.js';

afterEach(removeWorkspaces);

function writeProject(ws: string, project: string, fixture: string, healthCheck: boolean, extra = ''): void {
  mkdirSync(path.join(ws, 'governance', 'projects'), { recursive: true });
  const health = healthCheck ? '    health_check:\n      url: "http://127.0.0.1:8080/healthz"\n' : '';
  writeFileSync(
    path.join(ws, 'governance', 'projects', `${project}.yaml`),
    `version: 1\npath: ${JSON.stringify(path.join(fixturesDir, fixture))}\nenvironments:\n  production:\n    port: 8080\n${health}${extra}`,
  );
}

const reviews = (ws: string): string[] => (existsSync(path.join(ws, '.aibrain', 'reviews')) ? readdirSync(path.join(ws, '.aibrain', 'reviews')).sort() : []);

describe('autonomous-loop readiness', () => {
  it('prints the review, keeps it in .aibrain/reviews and exits 1 on a BLOCKER', () => {
    const ws = makeWorkspace();
    writeProject(ws, 'orders', 'js-gaps', false);
    const r = runCli(['readiness', '--project', 'orders'], { cwd: ws });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('# Production readiness review: orders');
    expect(r.stdout).toContain('#### OPERATOR-001: No rollback procedure [BLOCKER]');
    expect(r.stdout).toMatch(/\*\*Summary: 1 BLOCKER, 7 HIGH, 9 MEDIUM, 0 LOW — score \d+\/100 — BLOCKED\*\*/);
    expect(r.stdout).toContain('- Migrations: which of the 2 migration(s) are pending is not known (no migrate_status command and no tag of a version deployed to production): all taken as possibly pending, their findings rated two steps lower (check them against the database)');
    const files = reviews(ws);
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^orders-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.json$/);
    expect(r.stdout).toContain(`Review written to ${path.join(ws, '.aibrain', 'reviews', files[1] ?? '')}`);
  });

  it('--json prints the same data and exits 0 when nothing blocks', () => {
    const ws = makeWorkspace();
    writeProject(ws, 'catalog', 'good-service', true, `    commands:\n      migrate_status: ["\${NODE}", "-e", ${JSON.stringify('console.log(JSON.stringify({ applied: [] }))')}]\n`);
    const r = runCli(['readiness', '--project', 'catalog', '--json', '--root', ws], { cwd: fixturesDir });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ project: 'catalog', environment: 'production', findings: [], score: 100, blocked: false });
    expect(out.counts).toEqual({ BLOCKER: 0, HIGH: 0, MEDIUM: 0, LOW: 0 });
    const saved = JSON.parse(readFileSync(out.review_files.json, 'utf8'));
    expect(saved.findings).toEqual(out.findings);
    expect(saved.checks).toEqual(out.checks);
  });

  it('--env reviews for another environment: a missing runbook is HIGH outside production', () => {
    const ws = makeWorkspace();
    writeProject(ws, 'inv', 'py-gaps', false);
    const r = runCli(['readiness', '--project', 'inv', '--env', 'stage', '--json'], { cwd: ws });
    const out = JSON.parse(r.stdout);
    expect(out.environment).toBe('staging');
    expect(out.findings.find((f: { rule: string }) => f.rule === 'runbook').severity).toBe('HIGH');
  });

  it('bad input: exit 2, one clear message, nothing written', () => {
    const ws = makeWorkspace();
    const missing = runCli(['readiness', '--project', 'nope'], { cwd: ws });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('governance/projects/nope.yaml: no such file');
    writeProject(ws, 'orders', 'js-gaps', false);
    const env = runCli(['readiness', '--project', 'orders', '--env', 'qa'], { cwd: ws });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain("--env: 'qa' is not an environment");
    expect(reviews(ws)).toEqual([]);
  });

  it("takes applied migrations from the project file's migrate_status: a DROP already applied blocks nothing", () => {
    const ws = makeWorkspace();
    const status = JSON.stringify({ applied: ['001_create_orders', '002_drop_legacy_sessions'] });
    writeProject(ws, 'orders', 'js-gaps', false, `    commands:\n      migrate_status: ["\${NODE}", "-e", ${JSON.stringify(`console.log(${JSON.stringify(status)})`)}]\n`);
    const r = runCli(['readiness', '--project', 'orders', '--json'], { cwd: ws });
    const out = JSON.parse(r.stdout);
    expect(out.migrations).toEqual({ basis: '0 of 2 migration(s) pending: migrate_status of production', pending: 0, applied: 2 });
    expect(out.findings.filter((f: { rule: string }) => f.rule === 'migrations')).toEqual([]);
  });

  it('--json reports an error as JSON on stdout (exit 2, nothing written)', () => {
    const ws = makeWorkspace();
    const r = runCli(['readiness', '--project', 'nope', '--json'], { cwd: ws });
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout);
    expect(out.error.exit_code).toBe(2);
    expect(out.error.message).toContain('governance/projects/nope.yaml: no such file');
    expect(reviews(ws)).toEqual([]);
  });

  it('an empty project folder is refused: nothing to review, exit 2', () => {
    const ws = makeWorkspace();
    mkdirSync(path.join(ws, 'empty'));
    mkdirSync(path.join(ws, 'governance', 'projects'), { recursive: true });
    writeFileSync(path.join(ws, 'governance', 'projects', 'e.yaml'), `version: 1\npath: ${JSON.stringify(path.join(ws, 'empty'))}\nenvironments:\n  production:\n    port: 8080\n`);
    const r = runCli(['readiness', '--project', 'e'], { cwd: ws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nothing to review');
    expect(reviews(ws)).toEqual([]);
  });
});
