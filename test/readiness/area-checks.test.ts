import { describe, expect, it } from 'vitest';
import { findingsOf, makeProject, review } from './helpers/temp-project.js';

const express = { 'package.json': '{"name":"svc","version":"1.0.0","dependencies":{"express":"^4","pg":"^8"}}' };
const evidenceOf = (report: Awaited<ReturnType<typeof review>>, rule: string, title?: string): string =>
  report.findings.filter((f) => f.rule === rule && (!title || f.title === title)).map((f) => f.evidence).join('\n');

describe('containers', () => {
  it('a production image running nodemon as root on an unpinned base, with no HEALTHCHECK', async () => {
    const report = await review(
      makeProject({ ...express, 'src/app.js': "require('express')().listen(3000);\n", Dockerfile: 'FROM node:alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["npx", "nodemon", "--watch", "src", "src/app.js"]\n' }),
    );
    expect(findingsOf(report, 'dockerfile')).toEqual([
      'HIGH The production image runs a development server',
      'MEDIUM The production image runs as root',
      'MEDIUM Base images are not pinned',
      'LOW No container health check',
    ]);
    expect(evidenceOf(report, 'dockerfile', 'The production image runs a development server')).toBe('Dockerfile:5: CMD ["npx", "nodemon", "--watch", "src", "src/app.js"]');
    expect(evidenceOf(report, 'dockerfile', 'Base images are not pinned')).toBe('Dockerfile:1: FROM node:alpine');
  });

  it('a pinned, non-root image with a production command and a HEALTHCHECK passes; a Dockerfile.dev is not production', async () => {
    const report = await review(
      makeProject({
        ...express,
        'src/app.js': "require('express')().listen(3000);\n",
        Dockerfile: 'FROM node:22.11-alpine AS build\nRUN npm ci\nFROM node:22.11-alpine\nCOPY --from=build /app /app\nUSER node\nHEALTHCHECK CMD wget -qO- http://127.0.0.1:3000/health\nCMD ["node", "src/app.js"]\n',
        'Dockerfile.dev': 'FROM node\nCMD ["npx", "nodemon"]\n',
      }),
    );
    expect(findingsOf(report, 'dockerfile')).toEqual([]);
  });

  it('compose: source bind-mounted, a database published without auth, an admin UI routed, default passwords; dev compose files are left alone', async () => {
    const compose = [
      'services:',
      '  api:',
      '    build: .',
      '    volumes:',
      '      - .:/app',
      '      - ./nginx.conf:/etc/nginx/nginx.conf',
      '  redis:',
      '    image: redis:7',
      '    ports:',
      '      - "6379:6379"',
      '  db:',
      '    image: postgres:16',
      '    environment:',
      '      POSTGRES_PASSWORD: postgres',
      '    ports:',
      '      - "127.0.0.1:5432:5432"',
      '  adminer:',
      '    image: adminer',
      '    ports:',
      '      - "8080:8080"',
      '',
    ].join('\n');
    const report = await review(makeProject({ ...express, 'src/app.js': "require('express')();\n", 'docker-compose.yml': compose, 'docker-compose.dev.yml': 'services:\n  db:\n    image: postgres\n    ports: ["5432:5432"]\n' }));
    expect(findingsOf(report, 'compose')).toEqual([
      'HIGH Default credentials in the compose file',
      'HIGH A database port is published with no authentication',
      'MEDIUM The source tree is bind-mounted into a production container',
      'MEDIUM An admin UI is reachable from outside',
      'LOW No resource limits on the containers',
    ]);
    expect(evidenceOf(report, 'compose', 'The source tree is bind-mounted into a production container')).toBe('docker-compose.yml:5: api: .:/app');
    expect(evidenceOf(report, 'compose', 'A database port is published with no authentication')).toBe('docker-compose.yml:10: redis: 6379:6379 (redis:7, no password or auth setting)');
    expect(report.findings.find((f) => f.title === 'Default credentials in the compose file')?.area).toBe('config');
    expect(report.findings.find((f) => f.title === 'No resource limits on the containers')?.area).toBe('resources');
  });
});

describe('error handling', () => {
  it('an Express handler that sends err.message to clients is HIGH; none at all is MEDIUM', async () => {
    const leak = await review(
      makeProject({ ...express, 'src/app.js': "const app = require('express')();\napp.use((err, req, res, next) => {\n  res.status(500).json({ error: err.message });\n});\napp.listen(3000);\n" }),
    );
    expect(findingsOf(leak, 'error-handling')).toEqual(['HIGH Error handler sends internal error details to clients']);
    expect(evidenceOf(leak, 'error-handling')).toBe('src/app.js:3: res.status(500).json({ error: err.message });');
    const none = await review(makeProject({ ...express, 'src/app.js': "const app = require('express')();\napp.listen(3000);\n" }));
    expect(findingsOf(none, 'error-handling')).toEqual(['MEDIUM No global error handler']);
  });

  it('bare except: pass and empty catch blocks are swallowed exceptions', async () => {
    const report = await review(
      makeProject({
        'requirements.txt': 'fastapi\n',
        'app/main.py': 'from fastapi import FastAPI\napp = FastAPI()\n\ndef refresh():\n    try:\n        load()\n    except:\n        pass\n\ndef other():\n    try:\n        load()\n    except ValueError:\n        pass\n',
        'src/job.js': 'try { run(); } catch (e) {}\n',
      }),
    );
    expect(findingsOf(report, 'error-handling')).toEqual(['MEDIUM 2 places swallow exceptions silently']);
    expect(evidenceOf(report, 'error-handling')).toBe('app/main.py:7: except:\nsrc/job.js:1: try { run(); } catch (e) {}');
  });

  it('a FastAPI exception handler returning str(exc) leaks; Django DEBUG = True in settings.py leaks', async () => {
    const report = await review(
      makeProject({
        'requirements.txt': 'fastapi\n',
        'app/main.py': 'from fastapi import FastAPI\nfrom fastapi.responses import JSONResponse\napp = FastAPI()\n\n@app.exception_handler(Exception)\nasync def boom(request, exc):\n    return JSONResponse(status_code=500, content={"detail": str(exc)})\n',
      }),
    );
    expect(findingsOf(report, 'error-handling')).toEqual(['HIGH Error handler sends internal error details to clients']);
    const django = await review(makeProject({ 'requirements.txt': 'django\n', 'shop/settings.py': 'DEBUG = True\nSECRET_KEY = os.environ["SECRET_KEY"]\n', 'manage.py': 'import django\n' }));
    expect(evidenceOf(django, 'error-handling')).toContain("shop/settings.py:1: DEBUG = True (Django's debug page");
  });
});

describe('graceful shutdown and logging read as a reviewer does', () => {
  it('a SIGTERM handler that only logs does not stop the service', async () => {
    const hollow = await review(makeProject({ ...express, 'src/app.js': "const app = require('express')();\napp.listen(3000);\nprocess.on('SIGTERM', () => {\n  console.log('bye');\n});\n" }));
    expect(findingsOf(hollow, 'graceful-shutdown')).toEqual(['HIGH The SIGTERM handler does not stop the service']);
    const named = await review(
      makeProject({ ...express, 'src/app.js': "const app = require('express')();\nconst server = app.listen(3000);\nfunction stop() {\n  server.close(() => process.exit(0));\n}\nprocess.on('SIGTERM', stop);\n" }),
    );
    expect(findingsOf(named, 'graceful-shutdown')).toEqual([]);
  });

  it('winston with a printf format is plain text; with format.json() it is structured', async () => {
    const printf = "const winston = require('winston');\nconst logger = winston.createLogger({ format: winston.format.printf((i) => `${i.level}: ${i.message}`) });\nrequire('express')().listen(3000);\n";
    expect(findingsOf(await review(makeProject({ ...express, 'src/app.js': printf })), 'structured-logging')).toEqual(['MEDIUM The logger is configured to write plain text']);
    const json = "const winston = require('winston');\nconst logger = winston.createLogger({ format: winston.format.json() });\nrequire('express')().listen(3000);\n";
    expect(findingsOf(await review(makeProject({ ...express, 'src/app.js': json })), 'structured-logging')).toEqual([]);
  });

  it('a docstring mentioning JSON and Formatter is not a JSON formatter', async () => {
    const report = await review(
      makeProject({ 'requirements.txt': 'flask\n', 'app.py': '"""Returns JSON. See the Formatter docs."""\nimport logging\nfrom flask import Flask\napp = Flask(__name__)\nlogging.basicConfig()\n' }),
    );
    expect(findingsOf(report, 'structured-logging')).toEqual(['MEDIUM No structured logging']);
  });
});

describe('health, config, resources, backup', () => {
  it('a health endpoint that checks no dependency of a service with a database is MEDIUM', async () => {
    const shallow = await review(makeProject({ ...express, 'src/app.js': "const app = require('express')();\napp.get('/health', (req, res) => {\n  res.json({ status: 'ok' });\n});\napp.listen(3000);\n" }), { healthCheckConfigured: true });
    expect(findingsOf(shallow, 'health-endpoint')).toEqual(['MEDIUM Health endpoint checks no dependency']);
    const deep = await review(
      makeProject({ ...express, 'src/app.js': "const app = require('express')();\napp.get('/health', async (req, res) => {\n  await pool.query('SELECT 1');\n  res.json({ status: 'ok' });\n});\napp.listen(3000);\n" }),
      { healthCheckConfigured: true },
    );
    expect(findingsOf(deep, 'health-endpoint')).toEqual([]);
  });

  it('a committed .env with real secrets is HIGH; placeholders and a git-ignored .env are not', async () => {
    const committed = await review(makeProject({ ...express, 'src/app.js': "require('express')();\n", '.env': 'DB_PASSWORD=s3cr3t-Pa55w0rd\nAPI_KEY=YOUR_API_KEY_HERE\nSECRET_KEY=changethis\n' }));
    expect(findingsOf(committed, 'config-hygiene')).toEqual(['HIGH Secrets committed in an environment file']);
    expect(evidenceOf(committed, 'config-hygiene')).toBe('.env:1: DB_PASSWORD="s3cr…" (15 characters)');
    const ignored = await review(makeProject({ ...express, 'src/app.js': "require('express')();\n", '.env': 'DB_PASSWORD=s3cr3t-Pa55w0rd\n', '.gitignore': 'node_modules\n.env\n' }));
    expect(findingsOf(ignored, 'config-hygiene')).toEqual([]);
  });

  it('a silent SQLite fallback for the database URL is MEDIUM', async () => {
    const report = await review(
      makeProject({ 'requirements.txt': 'flask\nflask-sqlalchemy\n', 'app.py': "import os\nfrom flask import Flask\napp = Flask(__name__)\napp.config['SQLALCHEMY_DATABASE_URI'] = os.environ.get('DATABASE_URL', 'sqlite:///app.db')\n" }),
    );
    expect(findingsOf(report, 'config-hygiene')).toEqual(['MEDIUM Falls back to SQLite when the database URL is unset']);
  });

  it('asyncio.Queue() without maxsize is an unbounded queue; with maxsize it passes', async () => {
    const report = await review(
      makeProject({ 'requirements.txt': 'fastapi\n', 'app/jobs.py': 'import asyncio\nfrom queue import Queue\njobs = asyncio.Queue()\nbounded = asyncio.Queue(maxsize=100)\nlocal = Queue()\n' }),
    );
    expect(findingsOf(report, 'unbounded-queues')).toEqual(['MEDIUM 2 in-memory queues without a maximum size']);
    expect(evidenceOf(report, 'unbounded-queues')).toBe('app/jobs.py:3: jobs = asyncio.Queue()\napp/jobs.py:5: local = Queue()');
  });

  it('a service with a database needs a backup and restore procedure with steps', async () => {
    const none = await review(makeProject({ ...express, 'src/app.js': "require('express')();\n" }));
    expect(findingsOf(none, 'backup-recovery')).toEqual(['MEDIUM No backup and restore procedure']);
    const documented = await review(makeProject({ ...express, 'src/app.js': "require('express')();\n", 'docs/backup.md': '# Backup\n\n1. `pg_dump -Fc "$DATABASE_URL" > b.dump` nightly\n2. Restore: `pg_restore -d "$DATABASE_URL" b.dump`\n' }));
    expect(findingsOf(documented, 'backup-recovery')).toEqual([]);
  });
});

describe('bounded', () => {
  it('reviews what fits the byte budget and says what was skipped', async () => {
    const big = `// ${'x'.repeat(5000)}\n`;
    const report = await review(makeProject({ ...express, 'src/app.js': "require('express')();\n", 'src/a.js': big, 'src/b.js': big, 'README.md': '# svc\n' }), { budgetBytes: 6000 });
    expect(report.coverage.skippedCount).toBe(1);
    expect(report.coverage.skipped[0]).toEqual({ file: 'src/b.js', bytes: big.length, why: "over the review's byte budget" });
    expect(report.coverage.bytesRead).toBeLessThanOrEqual(6000);
  });
});

describe('field-test false alarms and misses, as fixtures', () => {
  it('a compose file that runs runserver from a local Dockerfile is a development file: no production findings', async () => {
    const compose = 'services:\n  db:\n    image: postgres:14\n    environment:\n      - POSTGRES_PASSWORD=postgres\n    ports: ["5432:5432"]\n  web:\n    build:\n      context: .\n      dockerfile: docker/local.Dockerfile\n    command: python manage.py runserver 0.0.0.0:8000\n    volumes:\n      - .:/app\n';
    const report = await review(makeProject({ 'requirements.txt': 'django\n', 'manage.py': 'import django\n', 'docker-compose.yml': compose }));
    expect(findingsOf(report, 'compose')).toEqual([]);
  });

  it('a password inside a database URL in a committed .env, and TypeORM synchronize: true, are HIGH', async () => {
    const report = await review(
      makeProject({
        'package.json': '{"dependencies":{"@nestjs/core":"^10","typeorm":"^0.3"}}',
        'src/main.ts': "import { NestFactory } from '@nestjs/core';\n",
        'prisma/.env': 'DATABASE_URL="mysql://root:admin@localhost:3306/app"\n',
        'ormconfig.json.example': '{\n  "type": "mysql",\n  "synchronize": true\n}\n',
      }),
    );
    expect(findingsOf(report, 'config-hygiene')).toEqual(['HIGH The ORM synchronizes the schema at start-up', 'HIGH Secrets committed in an environment file']);
    expect(evidenceOf(report, 'config-hygiene', 'Secrets committed in an environment file')).toBe('prisma/.env:1: DATABASE_URL holds a password in its URL ("ad…" (5 characters))');
    expect(report.findings.find((f) => f.title === 'The ORM synchronizes the schema at start-up')?.area).toBe('migrations');
  });

  it('env reads through the project\'s wrappers count: getOsEnv(key), an imported django-environ env; reads with a default are optional', async () => {
    const js = await review(
      makeProject({
        ...express,
        'src/lib/env.ts': 'export function getOsEnv(key: string): string {\n  return process.env[key] as string;\n}\n',
        'src/env.ts': "import { getOsEnv } from './lib/env';\nexport const env = { name: getOsEnv('APP_NAME'), port: process.env.PORT || '3000' };\n",
      }),
    );
    expect(evidenceOf(js, 'env-documented')).toContain('APP_NAME (src/env.ts:2, getOsEnv())');
    expect(evidenceOf(js, 'env-documented')).not.toContain('PORT');
    const py = await review(
      makeProject({
        'requirements.txt': 'django\ndjango-environ\n',
        'config/env.py': 'import environ\nenv = environ.Env()\n',
        'config/settings.py': 'from config.env import env\nINSTALLED_APPS = []\nAPP_DOMAIN = env("APP_DOMAIN", default="http://localhost")\nTIMEOUT = env.int("TIMEOUT", default=10)\nBROKER = env("CELERY_BROKER_URL")\nSECRET_KEY = env("SECRET_KEY")\n',
      }),
    );
    expect(evidenceOf(py, 'env-documented').split('\n').slice(1).map((l) => l.split(' ')[0])).toEqual(['CELERY_BROKER_URL', 'SECRET_KEY']);
  });

  it('an Express error middleware written over several lines with a trailing comma is found (and its leak)', async () => {
    const app = "import express from 'express';\nconst app = express();\napp.use(\n  (\n    err: Error,\n    req: express.Request,\n    res: express.Response,\n    next: express.NextFunction,\n  ) => {\n    res.status(500).json(err.message);\n  },\n);\n";
    const report = await review(makeProject({ ...express, 'src/main.ts': app }));
    expect(findingsOf(report, 'error-handling')).toEqual(['HIGH Error handler sends internal error details to clients']);
  });

  it('Travis node_js lists on an end-of-life runtime are found', async () => {
    const report = await review(makeProject({ ...express, 'src/app.js': "require('express')();\n", '.travis.yml': 'language: node_js\nnode_js:\n  - "8.9.4"\nscript:\n  - npm start test\n' }));
    expect(evidenceOf(report, 'ci-tests')).toBe('.travis.yml:3: - "8.9.4" — Node 8 (end of life 2019-12-31)');
  });
});
