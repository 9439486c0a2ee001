import type { DraftFinding } from '../types.js';
import type { ReadinessRule } from './rule.js';
import { describeMatch, findDocs, quoteMatch } from './find-doc.js';
import { quote } from './runbook.js';

const LOOKED_FOR =
  'a rollback procedure of this project (ROLLBACK.md, docs/rollback*.md, or a "Rollback"/"Rolling back" section in README, the runbook, the deploy guide or docs/) with commands or numbered steps';
const APPLICATION = /\bprevious (?:version|release|tag|image|build|deploy)|\bgit (?:checkout|revert|reset)|\bredeploy|\b(?:image|tag)\b|\bkubectl rollout undo|\bhelm rollback|\brollback --to|\bversion\b|\brelease\b/i;
const SCHEMA = /\bmigrat|\bdowngrade|\bschema\b|\bdown\b|\bdatabase\b|\bbackup\b|\brestore\b|\bpg_restore\b/i;

// Without a way back, a bad release stays in production until someone works one out: the
// standard's first BLOCKER.
export const rollbackProcedureRule: ReadinessRule = {
  id: 'rollback-procedure',
  title: 'Rollback procedure',
  area: 'deployment',
  impact:
    'When a release goes wrong there is no written way back: the bad version stays in production while people work out how to return to the previous one, and a schema already migrated may not match the old code.',
  snippets: {
    default:
      '## Rollback\n\n1. Redeploy the previous tag: `git checkout v<previous>` and deploy it (`docker compose up -d --build`).\n2. Revert the schema when the release migrated it: `<migrate down to the previous revision>`.\n3. Check: `curl -fsS https://<host>/health`.',
    fastapi: '## Rollback\n\n1. `git checkout v<previous> && docker compose up -d --build`\n2. `alembic downgrade <previous revision>`\n3. `curl -fsS https://<host>/health`',
    flask: '## Rollback\n\n1. `git checkout v<previous> && docker compose up -d --build`\n2. `flask db downgrade <previous revision>`\n3. `curl -fsS https://<host>/health`',
    django: '## Rollback\n\n1. `python manage.py migrate <app> <previous migration>`\n2. `git checkout v<previous>` and redeploy\n3. `curl -fsS https://<host>/health`',
    express: '## Rollback\n\n1. `git checkout v<previous> && npm ci && pm2 reload app` (or redeploy the previous image)\n2. `npx knex migrate:down` (or your tool\'s down migration)\n3. `curl -fsS https://<host>/health`',
    nestjs: '## Rollback\n\n1. Redeploy the previous image tag\n2. `npx typeorm migration:revert -d dist/data-source.js`\n3. `curl -fsS https://<host>/health`',
  },
  run(ctx) {
    const query = {
      file: /(?:^|\/)[^/]*roll-?backs?[^/]*\.\w+$/i,
      title: /\broll(?:ing|ed)?[\s-]?backs?\b|\brevert(?:ing)?\b.*\b(?:deploy|release|version)|\bdowngrad(?:e|ing)\b/i,
    };
    // A section with steps must be about releases (not a database transaction's rollback); an
    // empty or placeholder one is reported as such, whatever it mentions.
    const best = findDocs(ctx.docs, { ...query, mentions: /deploy|release|version|previous|tag|image|migration|production/i }).find((m) => m.steps) ?? findDocs(ctx.docs, query)[0];
    const hasMigrations = ctx.files.files.some((f) => !f.test && /(?:^|\/)(?:migrations?|alembic|versions|prisma)\//i.test(f.rel));
    if (best?.steps) {
      const text = `${best.section.title}\n${best.section.body}`;
      const gaps: DraftFinding[] = [];
      if (hasMigrations && !SCHEMA.test(text)) {
        gaps.push({
          rule: this.id,
          title: 'Rollback procedure does not cover the schema',
          severity: 'HIGH',
          location: best.location,
          effort: 'S',
          issue: 'The project migrates its database, but the rollback only returns the code: the previous version then runs against a schema it does not know.',
          evidence: `${quoteMatch(best)}\nNothing in it mentions migrations, a downgrade, the schema or a restore.`,
          recommendation: 'Add the schema step: the down migration to run (or why none is needed, e.g. expand/contract), before the previous code is redeployed.',
        });
      }
      if (!APPLICATION.test(text)) {
        gaps.push({
          rule: this.id,
          title: 'Rollback procedure does not say how to return to the previous version',
          severity: 'HIGH',
          location: best.location,
          effort: 'S',
          evidence: `${quoteMatch(best)}\nNothing in it names the previous version, tag, image or a redeploy.`,
          recommendation: 'Say which version to return to and how to deploy it (tag, image, or the deploy command with the previous version).',
        });
      }
      return gaps.length > 0 ? { findings: gaps } : { findings: [], passed: quoteMatch(best) };
    }
    const capability = ctx.input.rollbackConfigured ? `governance/projects/${ctx.input.project}.yaml configures a rollback command for ${ctx.input.environment}` : findRollbackScript(ctx);
    if (capability) {
      return {
        findings: [
          {
            rule: this.id,
            title: 'Rollback exists but is not documented',
            severity: 'HIGH',
            location: best?.location ?? capability,
            effort: 'S',
            issue: 'A way back exists, but nobody on call is told when and how to use it, nor what happens to the schema.',
            evidence: `${capability}; ${best ? `${describeMatch(best)} has no command or numbered step` : `missing: ${LOOKED_FOR}`}.`,
            recommendation: 'Document the rollback: when to roll back, the command, what to do with migrations, and how to check the result.',
          },
        ],
      };
    }
    return {
      findings: [
        {
          rule: this.id,
          title: best ? 'Rollback procedure has nothing to follow' : 'No rollback procedure',
          severity: 'BLOCKER',
          location: best ? best.location : `missing: ${LOOKED_FOR}`,
          effort: 'M',
          evidence: best
            ? `${describeMatch(best)} has no command or numbered step (placeholders such as TODO/TBD do not count):\n${quote(best.section.body, best.section.file.rel, best.section.bodyLine)}`
            : 'No document of this project (session logs, release notes, examples, vendored and test trees left out) describes rolling back, reverting or downgrading a release, and no rollback script or rollback command exists.',
          recommendation:
            'Write a rollback procedure before deploying to production: how to redeploy the previous version, how to reverse migrations (or why they need not be), and how to verify.',
        },
      ],
    };
  },
};

function findRollbackScript(ctx: Parameters<ReadinessRule['run']>[0]): string | undefined {
  const script = ctx.files.files.find((f) => !f.test && /(?:^|\/)[^/]*roll-?back[^/]*\.(?:sh|py|js|mjs|ts)$/i.test(f.rel));
  if (script) return `a rollback script exists (${script.rel})`;
  const pkg = ctx.files.get('package.json');
  if (pkg) {
    const lines = ctx.files.text(pkg).split('\n');
    const index = lines.findIndex((l) => /^\s*"[\w:-]*rollback[\w:-]*"\s*:/.test(l));
    if (index >= 0) return `a rollback script exists (package.json:${index + 1}: ${(lines[index] ?? '').trim()})`;
  }
  const makefile = ctx.files.get('Makefile');
  if (makefile) {
    const lines = ctx.files.text(makefile).split('\n');
    const index = lines.findIndex((l) => /^[\w-]*rollback[\w-]*\s*:/.test(l));
    if (index >= 0) return `a rollback target exists (Makefile:${index + 1}: ${(lines[index] ?? '').trim()})`;
  }
  return undefined;
}
