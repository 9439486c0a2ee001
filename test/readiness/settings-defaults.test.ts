// Issue #22, second pass: settings defaults in Node and pydantic, Flask config classes, gunicorn
// hooks, monorepo history, CORS "*" without credentials, HTTPS behind SecurityMiddleware.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readFileHistory } from '../../src/agents/readiness-agent.js';
import type { ReadinessReport } from '../../src/readiness/index.js';
import { checkOf, findingsOf, review } from './helpers/temp-project.js';

const cases = fileURLToPath(new URL('../fixtures/readiness', import.meta.url));
const at = (name: string): string => path.join(cases, name);
const byRule = (report: ReadinessReport, rule: string) => report.findings.filter((f) => f.rule === rule);

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});
/** A copy of a fixture in a temp dir, with files changed or added. */
function copyOf(name: string, changes: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'al-readiness-defaults-'));
  temps.push(dir);
  cpSync(at(name), dir, { recursive: true });
  for (const [rel, text] of Object.entries(changes)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

describe('Node settings defaults', () => {
  it('reports literal secret defaults from process.env, envalid default, convict and zod; not envalid devDefault', async () => {
    const report = await review(at('node-settings-defaults'));
    const [secret] = byRule(report, 'env-secret-default');
    const evidence = secret?.evidence ?? '';
    expect(evidence).toContain('src/config.js:29: JWT_SECRET falls back to');
    expect(evidence).toContain('src/config.js:8: API_TOKEN falls back to');
    expect(evidence).toContain('src/config.js:16: COOKIE_SECRET falls back to "conv…" (21 characters) (convict)');
    expect(evidence).toContain('src/config.js:22: WEBHOOK_SECRET falls back to');
    expect(evidence).not.toContain('SESSION_SECRET');
  });

  it('reports debug on by default and NODE_ENV defaulting to development', async () => {
    const report = await review(at('node-settings-defaults'));
    expect(findingsOf(report, 'insecure-defaults')).toEqual([
      'HIGH Debug is on unless the environment turns it off',
      'MEDIUM NODE_ENV defaults to development',
      'LOW CORS allows any origin',
    ]);
    const [debug, nodeEnv, cors] = byRule(report, 'insecure-defaults');
    expect(debug?.location).toBe('src/config.js:28');
    expect(nodeEnv?.location).toBe('src/config.js:27');
    expect(cors?.location).toBe('src/server.js:6');
    expect(cors?.evidence).toContain("src/config.js:30: corsOrigin: process.env.CORS_ORIGIN || '*',");
  });

  it('lets NODE_ENV default when the release image sets NODE_ENV=production', async () => {
    const dockerfile = readFileSync(path.join(at('node-settings-defaults'), 'Dockerfile'), 'utf8').replace('USER node', 'ENV NODE_ENV=production\nUSER node');
    const report = await review(copyOf('node-settings-defaults', { Dockerfile: dockerfile }));
    expect(findingsOf(report, 'insecure-defaults')).not.toContain('MEDIUM NODE_ENV defaults to development');
  });
});

describe('pydantic settings defaults', () => {
  it('reports BaseSettings secret fields with literal defaults, not the test class; CORS "*" without credentials is LOW', async () => {
    const report = await review(at('python-settings-defaults'));
    const evidence = byRule(report, 'env-secret-default')[0]?.evidence ?? '';
    expect(evidence).toContain('app/settings.py:7: SECRET_KEY falls back to');
    expect(evidence).toContain('app/settings.py:8: JWT_SECRET falls back to');
    expect(evidence).not.toContain('app/settings.py:14');
    expect(findingsOf(report, 'insecure-defaults')).toEqual(['HIGH DEBUG is on unless the environment turns it off', 'LOW CORS allows any origin']);
    expect(byRule(report, 'insecure-defaults')[1]?.location).toBe('app/main.py:7');
  });
});

describe('Flask config classes', () => {
  it('resolves what ProductionConfig inherits and what from_object picks when FLASK_CONFIG is unset', async () => {
    const report = await review(at('flask-config-classes'));
    expect(findingsOf(report, 'insecure-defaults')).toEqual([
      'HIGH DEBUG is on unless the environment turns it off',
      'MEDIUM Without FLASK_CONFIG the service runs DevelopmentConfig',
    ]);
    const [debug, fallback] = byRule(report, 'insecure-defaults');
    expect(debug?.location).toBe('config.py:6');
    expect(debug?.evidence).toContain('ProductionConfig');
    expect(fallback?.location).toBe('app/__init__.py:10');
    // The base class's literal secret is replaced by ProductionConfig: not a production secret (the fallback finding covers the dev class).
    expect(byRule(report, 'env-secret-default')).toEqual([]);
    expect(checkOf(report, 'env-secret-default').detail).toContain('config.py:5: SECRET_KEY is replaced in production by config.py:15');
  });

  it('is quiet when ProductionConfig turns DEBUG off and the image names it', async () => {
    const dir = copyOf('flask-config-classes');
    const config = readFileSync(path.join(dir, 'config.py'), 'utf8').replace('    SECRET_KEY = os.environ["SECRET_KEY"]\n', '    SECRET_KEY = os.environ["SECRET_KEY"]\n    DEBUG = False\n');
    const dockerfile = readFileSync(path.join(dir, 'Dockerfile'), 'utf8').replace('USER app', 'ENV FLASK_CONFIG=production\nUSER app');
    writeFileSync(path.join(dir, 'config.py'), config);
    writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
    const report = await review(dir);
    expect(findingsOf(report, 'insecure-defaults')).toEqual([]);
  });
});

describe('gunicorn hooks', () => {
  it('reads the hook bodies and the helpers they call', async () => {
    const report = await review(at('gunicorn-hooks'));
    const [migrate] = byRule(report, 'startup-migrations');
    expect(migrate?.severity).toBe('HIGH');
    expect(migrate?.location).toBe('gunicorn.conf.py:10');
    expect(migrate?.evidence).toContain('gunicorn.conf.py:10: subprocess.run(["alembic", "upgrade", "head"], check=True) (runs at start: gunicorn.conf.py on_starting → _upgrade_schema())');
    expect(migrate?.evidence).toContain('gunicorn.conf.py:19: os.system("flask db upgrade") (runs at start: gunicorn.conf.py when_ready)');
    expect(migrate?.evidence).not.toContain('post_fork');
  });

  it('finds call_command("migrate") in a hook', async () => {
    const dir = copyOf('gunicorn-hooks', {
      'gunicorn.conf.py': 'from django.core.management import call_command\n\nbind = "0.0.0.0:8000"\n\n\ndef on_starting(server):\n    call_command("migrate", interactive=False)\n',
    });
    const report = await review(dir);
    expect(byRule(report, 'startup-migrations')[0]?.evidence).toContain('gunicorn.conf.py:7: call_command("migrate", interactive=False) (runs at start: gunicorn.conf.py on_starting)');
  });
});

describe('Django HTTPS and CORS', () => {
  it('reports HTTPS not enforced although SecurityMiddleware is present, and CORS "*" without credentials as LOW', async () => {
    const report = await review(at('django-https'));
    expect(findingsOf(report, 'security-headers')).toEqual(['MEDIUM HTTPS is not enforced']);
    const [https] = byRule(report, 'security-headers');
    expect(https?.evidence).toContain('SECURE_SSL_REDIRECT');
    expect(https?.evidence).toContain('SECURE_HSTS_SECONDS');
    expect(https?.evidence).toContain('nginx/nginx.conf:6: listen 80;');
    expect(findingsOf(report, 'insecure-defaults')).toEqual(['LOW CORS allows any origin']);
    expect(byRule(report, 'insecure-defaults')[0]?.location).toBe('shop/settings/base.py:13');
  });

  it('passes HTTPS when production sets SECURE_SSL_REDIRECT and HSTS', async () => {
    const dir = copyOf('django-https', {
      'shop/settings/production.py': 'from .base import *  # noqa\n\nSECURE_SSL_REDIRECT = True\nSECURE_HSTS_SECONDS = 31536000\n',
    });
    const report = await review(dir);
    expect(findingsOf(report, 'security-headers')).toEqual([]);
  });

  it('passes HTTPS when the proxy redirects to https', async () => {
    const nginx = 'server {\n    listen 80;\n    return 301 https://$host$request_uri;\n}\nserver {\n    listen 443 ssl;\n    add_header Strict-Transport-Security "max-age=31536000" always;\n}\n';
    const report = await review(copyOf('django-https', { 'nginx/nginx.conf': nginx }));
    expect(findingsOf(report, 'security-headers')).toEqual([]);
  });
});

describe('pending migrations in a monorepo subfolder', () => {
  it('reads the subfolder\'s history from the repository top (git log -- <path>)', async () => {
    const top = mkdtempSync(path.join(os.tmpdir(), 'al-readiness-mono-'));
    temps.push(top);
    const project = path.join(top, 'services', 'shop');
    mkdirSync(path.dirname(project), { recursive: true });
    cpSync(at('django-layered-bootstrap'), project, { recursive: true });
    const git = (args: string[], date?: string): void => {
      execFileSync('git', args, { cwd: top, stdio: 'ignore', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}) } });
    };
    git(['init', '-q']);
    git(['add', '-A']);
    git(['commit', '-qm', 'old'], '2017-03-01T12:00:00Z');
    writeFileSync(path.join(top, 'README.md'), '# monorepo\n');
    git(['add', '-A']);
    git(['commit', '-qm', 'new'], '2026-11-01T12:00:00Z');
    // A folder of another repository that the project does not declare as its own: no history.
    expect(await readFileHistory(project)).toBeUndefined();
    const fileHistory = await readFileHistory(project, top);
    expect(fileHistory?.lastChanged['shop/orders/migrations/0002_remove_order_legacy_code.py']).toBe(Date.parse('2017-03-01T12:00:00Z') / 1000);
    expect(fileHistory?.newestCommit).toBe(Date.parse('2026-11-01T12:00:00Z') / 1000);
    expect(Object.keys(fileHistory?.lastChanged ?? {})).not.toContain('README.md');
    const report = await review(project, { appliedMigrations: { basis: 'no migrate_status', ...(fileHistory ? { fileHistory } : {}) } });
    expect(byRule(report, 'migrations')).toEqual([]);
    expect(report.migrations).toMatchObject({ pending: 0, applied: 2 });
  });
});

describe('deployment guide substance', () => {
  it('does not take a README section with one start command for a deployment guide', async () => {
    const report = await review(at('node-readme-one-command'));
    expect(findingsOf(report, 'deploy-docs')).toEqual(['HIGH Deployment guide is a single command']);
    expect(byRule(report, 'deploy-docs')[0]?.evidence).toContain('README.md:23: npm ci && npx prisma migrate deploy && node dist/api/main.js');
  });

  it('accepts the same section once it has steps to follow', async () => {
    const readme = readFileSync(path.join(at('node-readme-one-command'), 'README.md'), 'utf8').replace(
      '```shell\nnpm ci && npx prisma migrate deploy',
      '```shell\ngit pull --ff-only\nnpm ci && npm run build\n```\n\n```shell\nnpx prisma migrate deploy',
    );
    const report = await review(copyOf('node-readme-one-command', { 'README.md': readme }));
    expect(findingsOf(report, 'deploy-docs')).toEqual([]);
  });
});

describe('NestJS config files', () => {
  it('reads src/config/*.config.ts as the service\'s configuration, not a tool\'s', async () => {
    const dir = copyOf('node-readme-one-command', {
      'src/config/app.config.ts': "import { registerAs } from '@nestjs/config';\n\nexport default registerAs('app', () => ({\n  nodeEnv: process.env.NODE_ENV || 'development',\n}));\n",
      'vite.config.ts': "export default { mode: process.env.NODE_ENV || 'development' };\n",
    });
    const report = await review(dir);
    expect(findingsOf(report, 'insecure-defaults')).toContain('MEDIUM NODE_ENV defaults to development');
    const nodeEnv = byRule(report, 'insecure-defaults').find((f) => f.title.startsWith('NODE_ENV'));
    expect(nodeEnv?.location).toBe('src/config/app.config.ts:4');
    expect(nodeEnv?.evidence).not.toContain('vite.config.ts');
  });
});
