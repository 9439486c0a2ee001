// The false alarms and misses of issue #22, each as a small service shaped like the real case.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readFileHistory } from '../../src/agents/readiness-agent.js';
import { formatReadinessReport, type ReadinessReport } from '../../src/readiness/index.js';
import { checkOf, findingsOf, makeProject, review } from './helpers/temp-project.js';

const cases = fileURLToPath(new URL('../fixtures/readiness', import.meta.url));
const at = (name: string): string => path.join(cases, name);
const byRule = (report: ReadinessReport, rule: string) => report.findings.filter((f) => f.rule === rule);
const everything = (report: ReadinessReport): string => report.findings.map((f) => `${f.rule} ${f.title} ${f.location}\n${f.evidence}`).join('\n');

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('a Django service run by uWSGI, with a side tool in extra/ (issue #22)', () => {
  it('finds the migrations uWSGI runs before the app starts', async () => {
    const report = await review(at('django-uwsgi-status'));
    const [migrate] = byRule(report, 'startup-migrations');
    expect(migrate?.severity).toBe('HIGH');
    expect(migrate?.location).toBe('docker/uwsgi.ini:6');
    expect(migrate?.recommendation).toMatch(/separate, gated step.*migration agent/);
  });

  it('reads DEBUG, SECRET_KEY and ALLOWED_HOSTS through the project\'s own env helpers', async () => {
    const report = await review(at('django-uwsgi-status'));
    expect(findingsOf(report, 'insecure-defaults')).toEqual(['HIGH DEBUG is on unless the environment turns it off', 'MEDIUM ALLOWED_HOSTS accepts any host by default']);
    expect(byRule(report, 'insecure-defaults')[0]?.location).toBe('hc/settings.py:22');
    const [secret] = byRule(report, 'env-secret-default');
    expect(secret?.evidence).toMatch(/^hc\/settings\.py:21: SECRET_KEY falls back to "--…" \(3 characters\) \(envsecret\(\)\)/);
  });

  it('takes the service\'s own Dockerfile (non-root, HEALTHCHECK), not the side tool\'s', async () => {
    const report = await review(at('django-uwsgi-status'));
    expect(byRule(report, 'dockerfile')).toEqual([]);
    expect(checkOf(report, 'dockerfile').detail).toMatch(/^docker\/Dockerfile:/);
    expect(everything(report)).not.toMatch(/extra\//);
  });

  it('takes the routed status view for the health endpoint, not the product\'s /ping/ API, and sees it query the database', async () => {
    const report = await review(at('django-uwsgi-status'));
    expect(byRule(report, 'health-endpoint')).toEqual([]);
    expect(checkOf(report, 'health-endpoint').detail).toBe('hc/urls.py:9 ("api/v3/status/")');
    expect(everything(report)).not.toMatch(/migrations\/0001_initial\.py/);
  });

  it('drops the debug-only live-reload queue; flags a request timeout that only an environment variable sets', async () => {
    const report = await review(at('django-uwsgi-status'));
    expect(byRule(report, 'unbounded-queues')).toEqual([]);
    expect(checkOf(report, 'unbounded-queues').detail).toMatch(/debug-only.*inside livereload\(\)/);
    expect(findingsOf(report, 'request-timeouts')).toEqual(['MEDIUM The request timeout is set only when an environment variable is']);
    expect(byRule(report, 'request-timeouts')[0]?.evidence).toContain('docker/uwsgi.ini:8: harakiri = $(UWSGI_HARAKIRI)');
  });

  it('asks for a backup and restore procedure for the service\'s own database', async () => {
    const report = await review(at('django-uwsgi-status'));
    expect(findingsOf(report, 'backup-recovery')).toEqual(['MEDIUM No backup and restore procedure']);
  });
});

describe('a Node service that migrates from its start-up code (issue #22)', () => {
  it('finds knex.migrate.latest() in the server start-up', async () => {
    const report = await review(at('node-knex-startup'));
    const [migrate] = byRule(report, 'startup-migrations');
    expect(migrate?.location).toBe('server/index.js:8');
    expect(migrate?.evidence).toContain('(start-up code)');
  });

  it('reports root in the release stage when only the build stage sets USER', async () => {
    const report = await review(at('node-knex-startup'));
    expect(findingsOf(report, 'dockerfile')).toEqual(['MEDIUM The production image runs as root']);
    expect(byRule(report, 'dockerfile')[0]?.evidence).toMatch(/no USER in the final stage \(Dockerfile:7: FROM node:20\.18-alpine\)/);
  });

  it('leaves the test environment\'s compose file and the release script out', async () => {
    const report = await review(at('node-knex-startup'));
    expect(byRule(report, 'compose')).toEqual([]);
    expect(byRule(report, 'http-timeouts')).toEqual([]);
    expect(everything(report)).not.toMatch(/scripts\//);
  });

  it('flags a server timeout that is only set from an environment variable', async () => {
    const report = await review(at('node-knex-startup'));
    expect(byRule(report, 'request-timeouts')[0]?.location).toBe('server/index.js:15');
  });
});

describe('a Node image whose CMD migrates (issue #22)', () => {
  it('follows `npm run migrate` from the CMD to the package script', async () => {
    const report = await review(at('node-cmd-migrate'));
    const [migrate] = byRule(report, 'startup-migrations');
    expect(migrate?.location).toBe('Dockerfile:11');
    expect(migrate?.evidence.split('\n')).toEqual([
      'Dockerfile:11: npm run migrate && npm start (runs at start: Dockerfile:11 CMD)',
      'package.json:5: knex migrate:latest (runs at start: Dockerfile:11 CMD → npm run migrate)',
    ]);
    expect(findingsOf(report, 'request-timeouts')).toEqual(['MEDIUM No request timeout']);
  });

  it('says that a shell-form chain keeps SIGTERM from the server', async () => {
    const report = await review(at('node-cmd-migrate'));
    expect(findingsOf(report, 'dockerfile')).toContain('MEDIUM The server does not receive SIGTERM (shell-form command chain)');
    expect(byRule(report, 'dockerfile').find((f) => f.title.startsWith('The server does not'))?.area).toBe('error-handling');
  });
});

describe('settings read across continuation lines (field test)', () => {
  it('finds the SQLite fallback of a URI written over three lines', async () => {
    const dir = makeProject({
      'requirements.txt': 'flask==3.0.3\n',
      'Dockerfile': 'FROM python:3.12.7-slim\nCOPY . .\nUSER nobody\nCMD ["gunicorn", "app:app"]\n',
      'config.py': "import os\n\n\nclass Config:\n    SQLALCHEMY_DATABASE_URI = os.environ.get('DATABASE_URL', '').replace(\n        'postgres://', 'postgresql://') or \\\n        'sqlite:///' + os.path.join('.', 'app.db')\n",
      'app.py': 'from flask import Flask\n\napp = Flask(__name__)\n',
    });
    const report = await review(dir);
    expect(findingsOf(report, 'config-hygiene')).toContain('MEDIUM Falls back to SQLite when the database URL is unset');
  });
});

describe('a Django service with layered settings and a bootstrap script (issue #22)', () => {
  it('finds the migrate line of the bootstrap script the image starts', async () => {
    const report = await review(at('django-layered-bootstrap'));
    expect(byRule(report, 'startup-migrations')[0]?.evidence).toBe(
      'docker/bootstrap.sh:3: python manage.py migrate --noinput (runs at start: docker/Dockerfile:9 ENTRYPOINT → docker/bootstrap.sh)',
    );
  });

  it('does not report a base-settings secret that the production settings always replace, nor the dev settings', async () => {
    const report = await review(at('django-layered-bootstrap'));
    expect(byRule(report, 'env-secret-default')).toEqual([]);
    expect(checkOf(report, 'env-secret-default').detail).toContain('shop/settings/base.py:3: SECRET_KEY is replaced in production by shop/settings/production.py:5');
    expect(byRule(report, 'insecure-defaults')).toEqual([]);
  });

  it('does not block on migrations it cannot tell are pending; says so and counts the area as a gap', async () => {
    const report = await review(at('django-layered-bootstrap'));
    expect(report.findings.filter((f) => f.severity === 'BLOCKER' && f.rule === 'migrations')).toEqual([]);
    const [loss] = byRule(report, 'migrations');
    expect(loss?.severity).toBe('MEDIUM');
    expect(loss?.title).toMatch(/\(whether pending is not known\)$/);
    expect(report.migrations.basis).toMatch(/pending is not known/);
    const area = report.areas.find((a) => a.area === 'migrations');
    expect(area?.score).not.toBeNull();
    expect(area?.deductions.some((d) => d.startsWith('-25 migrations not assessed:'))).toBe(true);
    expect(formatReadinessReport(report)).toContain('NOT ASSESSED');
  });

  it('takes migrations unchanged for months before the newest commit as applied long ago (git history)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'al-readiness-history-'));
    temps.push(dir);
    cpSync(at('django-layered-bootstrap'), dir, { recursive: true });
    const git = (args: string[], date?: string): void => {
      execFileSync('git', args, { cwd: dir, stdio: 'ignore', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}) } });
    };
    git(['init', '-q']);
    git(['add', '-A']);
    git(['commit', '-qm', 'old'], '2017-03-01T12:00:00Z');
    git(['commit', '-q', '--allow-empty', '-m', 'new'], '2026-11-01T12:00:00Z');
    const fileHistory = await readFileHistory(dir);
    expect(fileHistory?.lastChanged['shop/orders/migrations/0002_remove_order_legacy_code.py']).toBe(Date.parse('2017-03-01T12:00:00Z') / 1000);
    const report = await review(dir, { appliedMigrations: { basis: 'no migrate_status', ...(fileHistory ? { fileHistory } : {}) } });
    expect(byRule(report, 'migrations')).toEqual([]);
    expect(report.migrations).toMatchObject({ pending: 0, applied: 2 });
    expect(report.migrations.basis).toMatch(/by file history/);
  });
});
