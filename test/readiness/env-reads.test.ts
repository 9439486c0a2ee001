import { describe, expect, it } from 'vitest';
import type { ProjectFile } from '../../src/readiness/project-files.js';
import { readEnvJavaScript } from '../../src/readiness/env/read-env-javascript.js';
import { readEnvPython } from '../../src/readiness/env/read-env-python.js';
import { isSecretDefault, isSecretName, looksLikeSecretValue } from '../../src/readiness/env/secret-values.js';
import { lexSource } from '../../src/readiness/source/lex-source.js';

const file = (rel: string): ProjectFile => ({ rel, abs: `/x/${rel}`, size: 0, test: false, toolConfig: false, clientSide: false, doc: false });

async function js(text: string): Promise<Array<[string, number, string | undefined]>> {
  return readEnvJavaScript(file('a.ts'), await lexSource('typescript', text)).map((r) => [r.name, r.line, r.defaultValue]);
}

async function py(text: string): Promise<Array<[string, number, string | undefined]>> {
  return readEnvPython(file('a.py'), await lexSource('python', text))
    .map((r): [string, number, string | undefined] => [r.name, r.line, r.defaultValue])
    .sort((a, b) => a[1] - b[1]);
}

describe('environment reads in JavaScript/TypeScript', () => {
  it('reads member, bracket, destructuring and alias access, with literal fallbacks', async () => {
    const reads = await js(
      [
        "const a = process.env.API_URL || 'http://localhost';",
        "const b = process.env['TOKEN_SECRET'] ?? 'dev';",
        "const { DB_HOST, DB_PASS = 'hunter2', PORT: port } = process.env;",
        'const env = process.env;',
        'const c = env.CACHE_TTL;',
      ].join('\n'),
    );
    expect(reads).toEqual([
      ['API_URL', 1, 'http://localhost'],
      ['TOKEN_SECRET', 2, 'dev'],
      ['CACHE_TTL', 5, undefined],
      ['DB_HOST', 3, undefined],
      ['DB_PASS', 3, 'hunter2'],
      ['PORT', 3, undefined],
    ]);
  });

  it('ignores comments, strings, writes and deletes', async () => {
    const reads = await js(
      [
        '// process.env.IN_COMMENT',
        "const s = 'process.env.IN_STRING';",
        "process.env.WRITTEN = 'x';",
        'delete process.env.DELETED;',
        'if (process.env.COMPARED === "1") {}',
      ].join('\n'),
    );
    expect(reads.map((r) => r[0])).toEqual(['COMPARED']);
  });

  it('reads the keys of envalid and of schemas validated against process.env', async () => {
    const reads = await js(
      [
        "const env = cleanEnv(process.env, { PORT: port({ default: 3000 }), SESSION_KEY: str({ default: 'abc123' }) });",
        'const schema = Joi.object().keys({',
        "  NODE_ENV: Joi.string().valid('production'),",
        "  JWT_SECRET: Joi.string().default('jwt-dev-secret'),",
        '  nested: Joi.object({ not_env: Joi.string() }),',
        '}).unknown();',
        'const { value } = schema.validate(process.env);',
      ].join('\n'),
    );
    expect(reads).toEqual([
      ['NODE_ENV', 3, undefined],
      ['JWT_SECRET', 4, 'jwt-dev-secret'],
      ['PORT', 1, undefined],
      ['SESSION_KEY', 1, 'abc123'],
    ]);
  });

  it('reads Vite variables but not its built-ins', async () => {
    expect((await js('const a = import.meta.env.VITE_API; const m = import.meta.env.MODE;')).map((r) => r[0])).toEqual(['VITE_API']);
  });
});

describe('environment reads in Python', () => {
  it('reads os.environ, os.environ.get and os.getenv with their defaults', async () => {
    const reads = await py(
      [
        'import os',
        "A = os.environ['DATABASE_URL']",
        "B = os.environ.get('API_TOKEN', 'tok-123')",
        "C = os.getenv('DEBUG', default='false')",
        "D = os.getenv('LEVEL', LEVELS[0])",
        "E = os.environ.get('SECRET_KEY') or 'you-will-never-guess'",
        "F = os.environ['SALT'] or 'pepper'",
        "os.environ['WRITTEN'] = '1'",
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'x.settings')",
        "# os.getenv('COMMENTED')",
      ].join('\n'),
    );
    expect(reads).toEqual([
      ['DATABASE_URL', 2, undefined],
      ['API_TOKEN', 3, 'tok-123'],
      ['DEBUG', 4, 'false'],
      ['LEVEL', 5, undefined],
      ['SECRET_KEY', 6, 'you-will-never-guess'],
      ['SALT', 7, 'pepper'],
    ]);
  });

  it('reads `from os import getenv, environ` forms', async () => {
    expect((await py("from os import environ, getenv\nX = getenv('X')\nY = environ['Y']\nZ = other.getenv('Z')\n")).map((r) => r[0])).toEqual(['X', 'Y']);
  });

  it('reads python-decouple and django-environ', async () => {
    expect(await py("from decouple import config\nSECRET_KEY = config('SECRET_KEY', default='insecure')\n")).toEqual([['SECRET_KEY', 2, 'insecure']]);
    expect(await py("import environ\nenv = environ.Env()\nDEBUG = env.bool('DEBUG', False)\nKEY = env('SECRET_KEY', default='k')\nN = env.str('NAME', 'shop')\n")).toEqual([
      ['DEBUG', 3, undefined],
      ['SECRET_KEY', 4, 'k'],
      ['NAME', 5, 'shop'],
    ]);
  });

  it('reads pydantic settings fields with the prefix, aliases and literal defaults', async () => {
    const reads = readEnvPython(
      file('settings.py'),
      await lexSource('python',
        [
          'from pydantic_settings import BaseSettings',
          'class Settings(BaseSettings):',
          '    """Docs: a: int = 1"""',
          "    model_config = SettingsConfigDict(env_prefix='APP_')",
          '    database_url: str',
          "    secret_key: str = 'change-me'",
          "    token: str = Field('tok', alias='SERVICE_TOKEN')",
          '    ratio: ClassVar[float] = 0.5',
          '    def helper(self) -> str:',
          '        inner: int = 3',
          '        return "x"',
          'class NotSettings(BaseModel):',
          '    ignored: str',
        ].join('\n'),
      ),
    ).map((r) => [r.name, r.line, r.defaultValue, r.caseInsensitive]);
    expect(reads).toEqual([
      ['APP_DATABASE_URL', 5, undefined, true],
      ['APP_SECRET_KEY', 6, 'change-me', true],
      ['SERVICE_TOKEN', 7, 'tok', true],
    ]);
  });
});

describe('secret-looking defaults', () => {
  it('knows secrets by name, not their settings', async () => {
    expect(['JWT_SECRET', 'DB_PASSWORD', 'STRIPE_API_KEY', 'GITHUB_TOKEN', 'APP_KEY', 'secret_key'].every(isSecretName)).toBe(true);
    expect(['JWT_EXPIRES_IN', 'TOKEN_TTL', 'PASSWORD_MIN_LENGTH', 'SECRET_KEY_FILE', 'CACHE_KEY', 'PWD', 'TOKEN_URL'].some(isSecretName)).toBe(false);
  });

  it('flags any non-trivial literal for a secret, and credential-shaped values for any name', async () => {
    expect(isSecretDefault('SESSION_SECRET', 'keyboard cat')).toBe(true);
    expect(isSecretDefault('DB_PASSWORD', '')).toBe(false);
    expect(isSecretDefault('API_TOKEN', '3600')).toBe(false);
    expect(isSecretDefault('GREETING', 'hello world')).toBe(false);
    expect(looksLikeSecretValue('sk_live_4eC39HqLyjWDarjtT1zdp7dc')).toBe(true);
    expect(looksLikeSecretValue('AKIAIOSFODNN7EXAMPLE')).toBe(true);
    expect(looksLikeSecretValue('https://api.example.com/v1/things')).toBe(false);
    expect(looksLikeSecretValue('Zq8!vR2#mN5$wX9%kL3^pT6&')).toBe(true);
  });
});
