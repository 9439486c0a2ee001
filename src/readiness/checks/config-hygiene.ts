import { collectEnvReads } from '../env/collect-env-reads.js';
import { isSecretName, looksLikeSecretValue, maskSecret } from '../env/secret-values.js';
import type { ProjectFile } from '../project-files.js';
import type { ReviewContext } from '../review-context.js';
import type { DraftFinding } from '../types.js';
import { listEvidence, quoteLine, type ReadinessRule } from './rule.js';

// A committed environment file: `.env`, `.env.production`, `prod.env` (examples and templates are fine).
const ENV_FILE = /^(?!.*(?:example|sample|template|\.dist|defaults?|tmpl|tpl))(?:\.env(?:\.[\w.-]+)?|[\w-]+\.env)$/i;
// Values that say "fill me in", not secrets.
const PLACEHOLDER = /^(?:|changeme|change[-_]?me|changethis|change[-_]?this|replace[-_]?me|your[-_ ].*|your[A-Z_].*|<.*>|\$\{.*\}|\*+|x+|\.\.\.|todo|tbd|none|null|example|dummy|placeholder|secret|password)$/i;
const DATABASE_URL_NAME = /\b(?:DATABASE_URL|DB_URL|DATABASE_URI|SQLALCHEMY_DATABASE_URI|DB_URI|POSTGRES_URL|MYSQL_URL)\b/;

// Configuration that works on a laptop and fails (or leaks) in production.
export const configHygieneRule: ReadinessRule = {
  id: 'config-hygiene',
  title: 'Configuration safe for production',
  area: 'config',
  impact: 'Configuration decides where the data goes and who can read the secrets: a committed secret is readable by everyone with the repository, and a silent fallback runs production against the wrong database.',
  run(ctx) {
    const findings: DraftFinding[] = [];
    const committed = committedSecrets(ctx);
    if (committed.length > 0) {
      findings.push({
        rule: this.id,
        title: 'Secrets committed in an environment file',
        severity: 'HIGH',
        location: committed[0]?.split(': ')[0] ?? '.env',
        effort: 'M',
        issue: 'The file holds real-looking credentials in the repository: everyone with read access (and every clone, fork and CI log) has them, and they stay in the git history after deletion.',
        evidence: listEvidence(committed),
        recommendation: 'Remove the file from the repository, add it to .gitignore, commit a `.env.example` with placeholders instead, and rotate every value that was committed.',
        snippet: '# .gitignore\n.env\n.env.*\n!.env.example',
      });
    }
    const weak = weakExampleCredentials(ctx);
    if (weak.length > 0) {
      findings.push({
        rule: this.id,
        title: 'The example configuration ships well-known credentials',
        severity: 'MEDIUM',
        location: weak[0]?.split(': ')[0] ?? '',
        effort: 'S',
        issue: 'An example file is what people copy to make the real one: a password such as admin/1234 in it tends to reach production unchanged, and the code takes it without complaint.',
        evidence: listEvidence(weak),
        recommendation: 'Leave secret values empty (or an obvious placeholder) in example files, and refuse to start in production when they are empty or a known default.',
      });
    }
    const fallback = sqliteFallbacks(ctx);
    if (fallback.length > 0 && ctx.service) {
      findings.push({
        rule: this.id,
        title: 'Falls back to SQLite when the database URL is unset',
        severity: 'MEDIUM',
        location: fallback[0]?.split(': ')[0] ?? '',
        effort: 'S',
        issue: 'When the variable is missing in production the service starts anyway, on a SQLite file inside the container: writes go to a file that disappears with the container, and nothing fails loudly.',
        evidence: listEvidence(fallback),
        recommendation: 'In production, refuse to start when the database URL is unset; keep the SQLite default for development only.',
        snippet: ctx.stack === 'express' || ctx.stack === 'nestjs' || ctx.stack === 'node' || ctx.stack === 'fastify' ? "const url = process.env.DATABASE_URL;\nif (!url && process.env.NODE_ENV === 'production') throw new Error('DATABASE_URL is required');" : 'url = os.environ.get("DATABASE_URL")\nif not url and os.environ.get("ENV") == "production":\n    raise RuntimeError("DATABASE_URL is required")',
      });
    }
    const fileLogs = fileLogging(ctx);
    if (fileLogs.length > 0 && ctx.files.files.some((f) => /(?:^|\/)Dockerfile$/.test(f.rel))) {
      findings.push({
        rule: this.id,
        title: 'Logs are written to a file inside the container',
        severity: 'MEDIUM',
        area: 'logging',
        location: fileLogs[0]?.split(': ')[0] ?? '',
        effort: 'S',
        issue: 'The service runs in a container but writes its logs to a file in it: the platform collects stdout, so these lines are invisible to the log system and are lost when the container is replaced.',
        evidence: listEvidence(fileLogs),
        recommendation: 'Log to stdout/stderr in containers (keep the file handler for runs outside them, behind a setting).',
      });
    }
    const sync = schemaSync(ctx);
    if (sync.length > 0) {
      findings.push({
        rule: this.id,
        title: 'The ORM synchronizes the schema at start-up',
        severity: 'HIGH',
        area: 'migrations',
        location: sync[0]?.split(': ')[0] ?? '',
        effort: 'M',
        issue: 'With synchronize on, every start compares the entities with the database and alters it to match: a renamed or removed field drops its column and its data in production, with no migration to review or reverse.',
        evidence: listEvidence(sync),
        recommendation: 'Turn synchronize off outside development and change the schema through migrations (typeorm migration:generate / migration:run).',
        snippet: "TypeOrmModule.forRoot({ ...options, synchronize: false, migrationsRun: true, migrations: ['dist/migrations/*.js'] })",
      });
    }
    if (findings.length > 0) return { findings };
    return { findings: [], passed: 'no committed secrets in environment files, no silent SQLite fallback, no log files inside containers' };
  },
};

// .env.example, .env.sample, env.template and the like.
const EXAMPLE_FILE = /^(?:\.?env(?:\.[\w-]+)*[._-](?:example|sample|template|dist|defaults?|tmpl|tpl)|(?:example|sample|template)[._-]?\.env)$/i;
const WEAK_PASSWORD = /^(?:admin|root|password|passw0rd|pass|1234|12345|123456|12345678|qwerty|secret|test|guest|default|letmein)$/i;

/** Secret-named keys of example files set to a well-known password (`MONITOR_PASSWORD=1234`). */
function weakExampleCredentials(ctx: ReviewContext): string[] {
  const out: string[] = [];
  for (const file of ctx.files.files) {
    if (file.test || !EXAMPLE_FILE.test(file.rel.slice(file.rel.lastIndexOf('/') + 1))) continue;
    ctx.files
      .text(file)
      .split('\n')
      .forEach((raw, i) => {
        const m = /^\s*(?:export\s+)?([A-Za-z_]\w*)\s*=\s*(.*?)\s*$/.exec(raw);
        const value = (m?.[2] ?? '').replace(/^(['"])(.*)\1$/, '$2');
        if (m?.[1] && /PASSWORD|PASSWD|SECRET|TOKEN/i.test(m[1]) && WEAK_PASSWORD.test(value)) out.push(`${file.rel}:${i + 1}: ${m[1]}=${value}`);
      });
  }
  return out;
}

function committedSecrets(ctx: ReviewContext): string[] {
  const ignored = gitIgnoresEnv(ctx);
  const out: string[] = [];
  for (const file of ctx.files.files) {
    const base = file.rel.slice(file.rel.lastIndexOf('/') + 1);
    if (file.test || file.toolConfig || !ENV_FILE.test(base) || ignored) continue;
    ctx.files
      .text(file)
      .split('\n')
      .forEach((raw, i) => {
        const m = /^\s*(?:export\s+)?([A-Za-z_][\w]*)\s*=\s*(.*?)\s*$/.exec(raw);
        if (!m?.[1]) return;
        const value = (m[2] ?? '').replace(/^(['"])(.*)\1$/, '$2');
        if (PLACEHOLDER.test(value) || /^(?:true|false|\d+)$/i.test(value)) return;
        const urlPassword = /^[a-z][\w+.-]*:\/\/[^:/\s@]+:([^@\s]+)@/i.exec(value)?.[1];
        if (urlPassword !== undefined && !PLACEHOLDER.test(urlPassword)) out.push(`${file.rel}:${i + 1}: ${m[1]} holds a password in its URL (${maskSecret(urlPassword)})`);
        else if (looksLikeSecretValue(value) || (isSecretName(m[1]) && value.length >= 4)) out.push(`${file.rel}:${i + 1}: ${m[1]}=${maskSecret(value)}`);
      });
  }
  return out;
}

/** A root .gitignore that ignores `.env` (then a `.env` on disk is a local file, not a committed one). */
function gitIgnoresEnv(ctx: ReviewContext): boolean {
  return ctx.files
    .text('.gitignore')
    .split('\n')
    .some((l) => /^\s*\/?(?:\.env|\.env\*|\.env\.\*|\*\.env|\.env\.local)\s*$/.test(l) && !l.includes('!'));
}

function sqliteFallbacks(ctx: ReviewContext): string[] {
  const out: string[] = [];
  for (const read of collectEnvReads(ctx.files)) {
    if (read.defaultValue && /^sqlite[:+]/i.test(read.defaultValue)) out.push(`${read.file.rel}:${read.line}: ${read.name} falls back to "${read.defaultValue}" (${read.via})`);
  }
  if (out.length > 0) return out;
  for (const file of ctx.files.code({ toolConfig: false })) {
    const lines = ctx.files.text(file).split('\n');
    lines.forEach((line, i) => {
      // A statement continued on the next lines (`… or \`, an open parenthesis) is read whole.
      let statement = line;
      for (let j = i + 1; j < Math.min(lines.length, i + 4) && /\\\s*$|\(\s*$|\bor\s*$/.test(statement); j++) statement = `${statement.replace(/\\\s*$/, ' ')} ${(lines[j] ?? '').trim()}`;
      if (DATABASE_URL_NAME.test(line) && /\bsqlite[:+]/i.test(statement) && /\bor\b|\|\||\?\?|get\(|getenv\(/.test(statement)) out.push(quoteLine(file.rel, i + 1, line));
    });
  }
  return out;
}

function fileLogging(ctx: ReviewContext): string[] {
  const out: string[] = [];
  for (const file of ctx.files.code({ toolConfig: false })) {
    if (file.clientSide) continue;
    const source = ctx.files.lexed(file);
    const re = file.language === 'python' ? /\b(?:Rotating|TimedRotating|Watched)?FileHandler\s*\(/g : /\bnew\s+(?:winston\.)?transports\.File\s*\(|\bnew\s+DailyRotateFile\s*\(|\bpino\.destination\s*\(\s*['"`][^'"`]+['"`]/g;
    for (const m of source.code.matchAll(re)) out.push(quote(ctx, file, m.index));
  }
  return out;
}

function quote(ctx: ReviewContext, file: ProjectFile, offset: number): string {
  const source = ctx.files.lexed(file);
  const line = source.lineStarts.findIndex((s, i) => offset >= s && offset < (source.lineStarts[i + 1] ?? Infinity)) + 1;
  return quoteLine(file.rel, line, ctx.files.text(file).split('\n')[line - 1] ?? '');
}

/** `synchronize: true` in TypeORM options or ormconfig (examples included: they are what people copy). */
function schemaSync(ctx: ReviewContext): string[] {
  const out: string[] = [];
  for (const file of ctx.files.files) {
    if (file.test || file.skipped || !(/(?:^|\/)ormconfig[\w.-]*$/.test(file.rel) || (file.language === 'javascript' && !file.clientSide && !file.toolConfig))) continue;
    ctx.files
      .text(file)
      .split('\n')
      .forEach((line, i) => {
        if (/["']?synchronize["']?\s*:\s*true\b/.test(line) && !/^\s*(?:\/\/|\*)/.test(line)) out.push(quoteLine(file.rel, i + 1, line));
      });
  }
  return out;
}
