import { lineAt } from '../source/lexed-source.js';
import { commandWords } from '../service/gunicorn-hooks.js';
import { readStartCommands } from '../service/start-commands.js';
import { listEvidence, quoteLine, type ReadinessRule } from './rule.js';

// A command that applies schema migrations.
const MIGRATE_COMMAND =
  /\b(?:manage\.py\s+migrate|django-admin(?:\.py)?\s+migrate|flask\s+db\s+upgrade|alembic\s+(?:-\S+\s+)*upgrade|(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?[\w:.-]*migrat[\w:.-]*|prisma\s+migrate\s+deploy|prisma\s+db\s+push|knex\s+migrate:latest|sequelize(?:-cli)?\s+db:migrate|typeorm(?:-ts-node-\w+)?\s+(?:[\w-]+\s+)*migration:run|db-migrate\s+up|node-pg-migrate\s+up|graphile-migrate\s+migrate|migrate\s+(?:-\S+\s+)*up\b|rake\s+db:migrate|yoyo\s+apply)/;
// Seeding at every start writes data on each restart and each replica.
const SEED_COMMAND = /\b(?:(?:npm|pnpm|yarn)\s+(?:run\s+)?[\w:.-]*seed[\w:.-]*|manage\.py\s+loaddata|knex\s+seed:run|sequelize(?:-cli)?\s+db:seed)/;
// Start-up code that migrates: knex, umzug, TypeORM, Django, Alembic, Prisma spawned from code.
const MIGRATE_CODE =
  /\.migrate\.latest\s*\(|\bmigrator\.(?:up|migrateToLatest)\s*\(|\bumzug\.up\s*\(|\brunMigrations\s*\(|\bmigrationsRun\s*:\s*true\b|\bcall_command\s*\(\s*["']migrate["']|\b(?:alembic\.)?command\.upgrade\s*\(|prisma\s+migrate\s+deploy|\bmigrate\s*\(\s*\{[^}]*migrationsFolder/;

/** Migrations that run when the service starts: replicas race, and no person reviews the step. */
export const startupMigrationsRule: ReadinessRule = {
  id: 'startup-migrations',
  title: 'Migrations run as their own step, not at start',
  area: 'migrations',
  impact:
    'Migrations that run when the service starts run on every replica and every restart: replicas race for the same schema change, a long migration fails the start-up health checks and the orchestrator restarts it mid-way, and nobody reviews or approves the change before it touches production data.',
  snippets: {
    default:
      '# Run migrations once, as a gated step before the new version starts (the migration agent):\n# tasks/work_queue_<project>.json: { "id": "MIGRATE-PROD", "agent_type": "migration", "environment": "production" }\n# Dockerfile: start the server only\nCMD ["node", "dist/main.js"]',
    django: '# Procfile\nrelease: python manage.py migrate --noinput   # or the loop\'s migration agent, gated\nweb: gunicorn project.wsgi',
  },
  run(ctx) {
    const commands = readStartCommands(ctx.files);
    // A hook's Python runs commands as lists (`subprocess.run(["alembic", "upgrade", "head"])`) or calls Django directly.
    const migrate = commands.filter((c) => (MIGRATE_COMMAND.test(c.text) || MIGRATE_COMMAND.test(commandWords(c.text)) || MIGRATE_CODE.test(c.text)) && !/^\s*echo\b/.test(c.text));
    const seed = commands.filter((c) => SEED_COMMAND.test(c.text) && !/^\s*echo\b/.test(c.text));
    const code: string[] = [];
    for (const file of ctx.files.code({ toolConfig: false })) {
      if (file.clientSide || /(?:^|\/)(?:migrations?|alembic|seeds?|seeders)\//.test(file.rel) || /knexfile|data-source|ormconfig/i.test(file.rel)) continue;
      const source = ctx.files.lexed(file);
      const m = MIGRATE_CODE.exec(source.code) ?? MIGRATE_CODE.exec(source.text);
      if (!m) continue;
      const line = lineAt(source, m.index);
      code.push(quoteLine(file.rel, line, source.text.split('\n')[line - 1] ?? ''));
    }
    const evidence = [...migrate.map((c) => `${c.location}: ${c.text} (runs at start: ${c.via})`), ...code.map((c) => `${c} (start-up code)`)];
    if (evidence.length === 0 && seed.length === 0) {
      // Nothing migrates at start: the migrations area is judged by the migrations themselves (a service without any is not scored on them).
      return { findings: [], notApplicable: `${commands.length} start command(s) read (CMD/ENTRYPOINT, scripts, Procfile, uWSGI/gunicorn hooks) and the start-up code: none runs migrations or seeds` };
    }
    const findings = [];
    if (evidence.length > 0) {
      findings.push({
        rule: this.id,
        title: 'Migrations run when the service starts',
        severity: 'HIGH' as const,
        location: (evidence[0] ?? '').split(': ')[0] ?? '',
        effort: 'M' as const,
        evidence: listEvidence(evidence),
        recommendation:
          'Take migrations out of the start-up: run them once per release as a separate, gated step before the new version starts (the loop\'s migration agent: reviewed by the guardrails, approved, recorded), and start the server alone.',
      });
    }
    if (seed.length > 0) {
      findings.push({
        rule: this.id,
        title: 'Seed data is loaded when the service starts',
        severity: 'MEDIUM' as const,
        location: seed[0]?.location ?? '',
        effort: 'S' as const,
        issue: 'Seeding at every start writes to the production database on each restart and from each replica at once: duplicated or overwritten rows, and a start that fails when the seed does.',
        evidence: listEvidence(seed.map((c) => `${c.location}: ${c.text} (runs at start: ${c.via})`)),
        recommendation: 'Seed once, by hand or as its own gated task; keep the seeding out of the container\'s start command.',
      });
    }
    return { findings };
  },
};
