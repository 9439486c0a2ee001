import { describe, expect, it } from 'vitest';
import { checkOf, findingsOf, makeProject, review } from './helpers/temp-project.js';

describe('environment variables documented', () => {
  it('lists each undocumented variable once with where it is first read', async () => {
    const report = await review(
      makeProject({
        'src/config.ts': "export const a = process.env.REDIS_URL;\nexport const b = process.env.REDIS_URL;\nexport const c = process.env['QUEUE_NAME'];\nexport const e = process.env.NODE_ENV;\n",
        'src/db.py': "import os\nURL = os.environ['DATABASE_URL']\n",
        '.env.example': 'DATABASE_URL=postgres://localhost/app\n',
      }),
    );
    const finding = report.findings.find((f) => f.rule === 'env-documented');
    expect(finding?.title).toBe('2 environment variables not documented');
    expect(finding?.severity).toBe('MEDIUM');
    expect(finding?.evidence.split('\n').slice(1)).toEqual(['QUEUE_NAME (src/config.ts:3, process.env)', 'REDIS_URL (src/config.ts:1, process.env)']);
  });

  it('takes names from env examples (commented lines too), a committed .env and the docs', async () => {
    const report = await review(
      makeProject({
        'app.js': 'const x = [process.env.A_VAR, process.env.B_VAR, process.env.C_VAR, process.env.D_VAR];\n',
        'config/.env.sample': '# B_VAR=optional\n',
        '.env': 'A_VAR=1\n',
        'docs/config.md': '| Variable | Meaning |\n|---|---|\n| `C_VAR` | the c |\n',
        '.env.production.example': 'export D_VAR=\n',
      }),
    );
    expect(findingsOf(report, 'env-documented')).toEqual([]);
    expect(checkOf(report, 'env-documented').status).toBe('pass');
  });

  it('leaves out variables read only by tests, tool configs, examples and the platform', async () => {
    const report = await review(
      makeProject({
        'tests/setup.js': 'process.env.TEST_DATABASE_URL;\n',
        'src/app.test.ts': 'process.env.TEST_ONLY;\n',
        'vite.config.ts': 'process.env.VITE_PORT;\n',
        'examples/demo.js': 'process.env.DEMO_KEY;\n',
        'src/app.js': 'const env = process.env.NODE_ENV; const home = process.env.HOME;\n',
      }),
    );
    expect(findingsOf(report, 'env-documented')).toEqual([]);
  });
});

describe('secret-looking literal defaults', () => {
  it('is HIGH for a secret with a literal fallback, showing only a masked value', async () => {
    const report = await review(
      makeProject({
        'src/config.js': "const secret = process.env.SESSION_SECRET || 'keyboard cat';\nconst url = process.env.API_URL || 'http://localhost:3000';\n",
        'app/settings.py': "import os\nTOKEN = os.getenv('GITHUB_TOKEN', 'ghp_0123456789abcdefghijABCDEFGHIJ0123')\nEMPTY = os.getenv('DB_PASSWORD', '')\n",
        '.env.example': 'SESSION_SECRET=\nAPI_URL=\nGITHUB_TOKEN=\nDB_PASSWORD=\n',
      }),
    );
    const finding = report.findings.find((f) => f.rule === 'env-secret-default');
    expect(finding?.severity).toBe('HIGH');
    expect(finding?.location).toBe('app/settings.py:2');
    expect(finding?.evidence).toBe(
      'app/settings.py:2: GITHUB_TOKEN falls back to "ghp_…" (38 characters) (os.getenv)\nsrc/config.js:1: SESSION_SECRET falls back to "keyb…" (12 characters) (process.env)',
    );
    expect(finding?.evidence).not.toContain('keyboard cat');
  });

  it("flags a Django SECRET_KEY literal in settings, not one read from the environment", async () => {
    const literal = await review(makeProject({ 'shop/settings.py': "SECRET_KEY = 'django-insecure-abc123'\n" }));
    expect(findingsOf(literal, 'env-secret-default')).toEqual(['HIGH Secret with a literal default in the code']);
    const fromEnv = await review(makeProject({ 'shop/settings.py': "import os\nSECRET_KEY = os.environ['SECRET_KEY']\n", '.env.example': 'SECRET_KEY=\n' }));
    expect(findingsOf(fromEnv, 'env-secret-default')).toEqual([]);
  });
});
