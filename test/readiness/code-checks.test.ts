import { describe, expect, it } from 'vitest';
import { checkOf, findingsOf, makeProject, review } from './helpers/temp-project.js';

const expressApp = (body: string): Record<string, string> => ({
  'package.json': JSON.stringify({ name: 'svc', dependencies: { express: '^4' } }),
  'src/app.ts': `import express from 'express';\nconst app = express();\n${body}\n`,
});

describe('health endpoint', () => {
  it('is HIGH when a web app serves none, and not applicable to a library', async () => {
    expect(findingsOf(await review(makeProject(expressApp("app.get('/api/x', h);"))), 'health-endpoint')).toEqual(['HIGH No health endpoint']);
    const lib = await review(makeProject({ 'package.json': '{"name":"lib"}', 'index.js': 'module.exports = 1;\n' }));
    expect(checkOf(lib, 'health-endpoint').status).toBe('not-applicable');
  });

  it('reads no vendored code: a copy of a web framework under _vendor/ does not make a library a web app', async () => {
    const lib = await review(
      makeProject({
        'setup.py': 'from setuptools import setup\nsetup(name="tool")\n',
        'tool/__init__.py': 'def run():\n    return 1\n',
        'tool/_vendor/tenacity/tornadoweb.py': 'from tornado import gen\nimport requests\nrequests.get("http://x")\n',
        'vendor/web/app.js': "const express = require('express');\nexpress().listen(80);\n",
      }),
    );
    expect(checkOf(lib, 'health-endpoint').status).toBe('not-applicable');
    expect(findingsOf(lib, 'http-timeouts')).toEqual([]);
  });

  it('finds routes in Express, NestJS, Django, FastAPI and file-based routes', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [expressApp("app.get('/healthz', (req, res) => res.send('ok'));"), 'src/app.ts:3 ("/healthz")'],
      [{ 'package.json': '{"dependencies":{"@nestjs/core":"^10"}}', 'src/health.controller.ts': "@Controller('health')\nexport class Health {}\n" }, 'src/health.controller.ts:1 ("health")'],
      [{ 'requirements.txt': 'django\n', 'app/urls.py': "from django.urls import path\nurlpatterns = [path('ready/', ready)]\n" }, 'app/urls.py:2 ("ready/")'],
      [{ 'requirements.txt': 'fastapi\n', 'main.py': 'from fastapi import FastAPI\napp = FastAPI()\n@app.get("/api/health")\ndef h(): ...\n' }, 'main.py:3 ("/api/health")'],
      [{ 'package.json': '{"dependencies":{"next":"^14"}}', 'app/api/health/route.ts': 'export function GET() {}\n' }, 'app/api/health/route.ts:1 (a file-based route)'],
    ];
    for (const [files, where] of cases) {
      const report = await review(makeProject(files), { healthCheckConfigured: true });
      expect(findingsOf(report, 'health-endpoint')).toEqual([]);
      expect(checkOf(report, 'health-endpoint').detail).toBe(where);
    }
  });

  it('does not count a health path in a comment, a test, a bare word or a client call', async () => {
    const report = await review(
      makeProject({
        ...expressApp("// app.get('/health', ok)\nconst label = 'health';\n"),
        'test/app.spec.ts': "app.get('/health', ok);\n",
        'src/components/Status.tsx': "fetch('/health');\n",
      }),
    );
    expect(findingsOf(report, 'health-endpoint')).toEqual(['HIGH No health endpoint']);
  });

  it('is HIGH when the code serves one but the project file configures no health check', async () => {
    const dir = makeProject(expressApp("app.get('/health', ok);"));
    expect(findingsOf(await review(dir, { healthCheckConfigured: false }), 'health-endpoint')).toEqual(['HIGH Health check not configured in the project file']);
    expect(findingsOf(await review(dir), 'health-endpoint')).toEqual([]);
  });
});

describe('graceful shutdown', () => {
  it('finds process.on(SIGTERM), a loop over signals and Python handlers', async () => {
    const cases: Array<Record<string, string>> = [
      expressApp("process.on('SIGTERM', () => server.close());"),
      expressApp("for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, stop);"),
      { 'requirements.txt': 'flask\n', 'app.py': 'import signal\nfrom flask import Flask\nsignal.signal(signal.SIGTERM, stop)\n' },
      { 'requirements.txt': 'aiohttp\n', 'app.py': 'import aiohttp\nfor s in (signal.SIGINT, signal.SIGTERM):\n    loop.add_signal_handler(s, stop)\n' },
      { 'requirements.txt': 'fastapi\nuvicorn[standard]\n', 'main.py': 'from fastapi import FastAPI\n' },
      { 'requirements.txt': 'flask\n', 'Procfile': 'web: gunicorn app:app\n', 'app.py': 'from flask import Flask\n' },
    ];
    for (const files of cases) expect(findingsOf(await review(makeProject(files)), 'graceful-shutdown'), JSON.stringify(files)).toEqual([]);
  });

  it('does not count a commented-out handler, a string, a kill or a test', async () => {
    const report = await review(
      makeProject({
        ...expressApp("// process.on('SIGTERM', () => server.close());\nconst doc = \"process.on('SIGTERM')\";\nprocess.on('exit', done);\nchild.kill('SIGTERM');\n"),
        'test/shutdown.spec.ts': "process.on('SIGTERM', () => {});\n",
      }),
    );
    expect(findingsOf(report, 'graceful-shutdown')).toEqual(['HIGH No graceful shutdown on SIGTERM']);
    const python = await review(makeProject({ 'requirements.txt': 'flask\n', 'app.py': 'from flask import Flask\n# signal.signal(signal.SIGTERM, stop)\n' }));
    expect(findingsOf(python, 'graceful-shutdown')).toEqual(['HIGH No graceful shutdown on SIGTERM']);
  });

  it('applies to workers and containerised processes, not to libraries', async () => {
    expect(findingsOf(await review(makeProject({ 'Dockerfile': 'FROM node:20\nCMD ["node", "worker.js"]\n', 'worker.js': 'setInterval(work, 1000);\n' })), 'graceful-shutdown')).toHaveLength(1);
    expect(checkOf(await review(makeProject({ 'index.js': 'module.exports = {};\n' })), 'graceful-shutdown').status).toBe('not-applicable');
  });
});

describe('timeouts on outgoing HTTP calls', () => {
  it('lists calls without a timeout with their file:line', async () => {
    const report = await review(
      makeProject({
        'src/client.ts': [
          "import axios from 'axios';",
          "await fetch('https://a.example.com');",
          "await fetch(url, { method: 'POST' });",
          'await axios.get(url);',
          "await axios.post(url, body, { headers: {} });",
        ].join('\n'),
        'svc.py': 'import requests\nrequests.get(URL)\nrequests.post(URL, json=body, timeout=None)\n',
      }),
    );
    const finding = report.findings.find((f) => f.rule === 'http-timeouts');
    expect(finding?.title).toBe('6 outgoing HTTP calls without a timeout');
    expect(finding?.location).toBe('src/client.ts:2');
    expect(finding?.evidence.split('\n')).toEqual([
      'src/client.ts:2: fetch() with no signal',
      'src/client.ts:3: fetch() with no signal',
      'src/client.ts:4: axios.get() with no timeout',
      'src/client.ts:5: axios.post() with no timeout',
      'svc.py:2: requests.get() with no timeout',
      'svc.py:3: requests.post() with timeout=None',
    ]);
  });

  it('accepts timeouts set through wrappers, instances, defaults and passed-through options', async () => {
    const report = await review(
      makeProject({
        'src/http.ts': [
          "import axios from 'axios';",
          'const api = axios.create({ baseURL, timeout: 5000 });',
          'await api.get(url);',
          'export const fetchWithTimeout = (url, init = {}) => fetch(url, { ...init, signal: AbortSignal.timeout(3000) });',
          "await fetchWithTimeout('https://a.example.com');",
          'export function get(url, options) { return fetch(url, options); }',
          'class Client { fetch(url) { return this.fetchWithTimeout(url); } }',
          "// await fetch('https://commented.example.com');",
        ].join('\n'),
        'src/defaults.ts': "import axios from 'axios';\naxios.defaults.timeout = 10_000;\nawait axios.get(url);\n",
        'svc.py': [
          'import requests, httpx',
          'session = requests.Session()',
          'session.get(URL)',
          'def get(url, **kwargs):',
          "    kwargs.setdefault('timeout', 5)",
          '    return requests.get(url, **kwargs)',
          'httpx.get(URL)',
          'requests.get(URL, timeout=(3, 10))',
        ].join('\n'),
        'tests/test_client.py': 'import requests\nrequests.get(URL)\n',
        'src/components/Widget.tsx': "fetch('/api/widgets');\n",
      }),
    );
    expect(findingsOf(report, 'http-timeouts')).toEqual([]);
  });
});

describe('security headers and structured logging', () => {
  it('finds helmet, header names set in code, Django middleware and talisman', async () => {
    const cases: Array<Record<string, string>> = [
      expressApp("import helmet from 'helmet';\napp.use(helmet());"),
      expressApp("app.use((req, res, next) => { res.setHeader('X-Content-Type-Options', 'nosniff'); next(); });"),
      { 'requirements.txt': 'django\n', 'shop/settings.py': "MIDDLEWARE = ['django.middleware.security.SecurityMiddleware']\nSECURE_SSL_REDIRECT = True\n" },
      { 'requirements.txt': 'flask\n', 'app.py': 'from flask import Flask\nfrom flask_talisman import Talisman\n' },
      { ...expressApp(''), 'deploy/nginx.conf': "add_header Strict-Transport-Security 'max-age=31536000';\n" },
    ];
    for (const files of cases) expect(findingsOf(await review(makeProject(files)), 'security-headers'), JSON.stringify(files)).toEqual([]);
    expect(findingsOf(await review(makeProject(expressApp("// app.use(helmet())"))), 'security-headers')).toEqual(['MEDIUM No security headers']);
  });

  it('finds structured loggers and points at plain logging when there is none', async () => {
    expect(findingsOf(await review(makeProject(expressApp("import pino from 'pino';"))), 'structured-logging')).toEqual([]);
    expect(findingsOf(await review(makeProject({ 'requirements.txt': 'flask\n', 'app.py': 'from flask import Flask\nfrom pythonjsonlogger import jsonlogger\n' })), 'structured-logging')).toEqual([]);
    const plain = await review(makeProject(expressApp("console.log('started');")));
    expect(findingsOf(plain, 'structured-logging')).toEqual(['MEDIUM No structured logging']);
    expect(plain.findings.find((f) => f.rule === 'structured-logging')?.location).toBe('src/app.ts:3');
  });
});
