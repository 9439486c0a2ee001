import { findDependency } from '../review-context.js';
import type { ReadinessRule } from './rule.js';
import { describeMatch, findDocs, quoteMatch } from './find-doc.js';

const DATASTORES = ['pg', 'mysql', 'mysql2', 'mongoose', 'mongodb', 'sequelize', 'typeorm', '@prisma/client', 'knex', '@mikro-orm/core', 'drizzle-orm', 'sqlalchemy', 'flask-sqlalchemy', 'sqlmodel', 'psycopg2', 'psycopg2-binary', 'psycopg', 'asyncpg', 'pymongo', 'motor', 'django', 'peewee', 'tortoise-orm', 'mongoengine'];

// Data that is not backed up, or whose backups were never restored, is data one incident away from gone.
export const backupRecoveryRule: ReadinessRule = {
  id: 'backup-recovery',
  title: 'Backup and restore procedure',
  area: 'backup-recovery',
  impact: 'The service keeps data in a database, but nothing says how it is backed up, how to restore it, how long that takes or how much data may be lost: after a bad migration or a lost volume, recovery is improvised.',
  snippets: {
    default:
      '## Backup and restore\n\n- Backups: nightly `pg_dump -Fc "$DATABASE_URL" > backup-$(date +%F).dump`, kept 30 days (retention), off-host.\n- Restore: `pg_restore --clean -d "$DATABASE_URL" backup-<date>.dump`\n- Tested: restore into staging every month; RTO 1 h, RPO 24 h.',
  },
  run(ctx) {
    const store = findDependency(ctx, DATASTORES, { dev: false });
    const migrations = ctx.files.files.some((f) => !f.test && /(?:^|\/)(?:migrations|alembic|prisma)\//.test(f.rel));
    if (!store && !migrations) return { findings: [], notApplicable: 'the service keeps no database of its own (no database driver, ORM or migrations)' };
    const matches = findDocs(ctx.docs, {
      file: /(?:^|\/)[^/]*(?:backups?|restore|disaster[-_]?recovery|dr)[^/]*\.\w+$/i,
      title: /\bbackups?\b|\brestor(?:e|ing)\b|\bdisaster recovery\b|\brecovery\b|\bRTO\b|\bRPO\b/i,
    });
    const best = matches.find((m) => m.steps);
    const basis = store ? `${store.name} (${store.location})` : 'migrations in the repository';
    if (best) {
      const text = `${best.section.title}\n${best.section.body}`;
      if (/\brestor/i.test(text)) return { findings: [], passed: quoteMatch(best) };
      return {
        findings: [
          {
            rule: this.id,
            title: 'Backups are documented but restoring them is not',
            severity: 'LOW',
            location: best.location,
            effort: 'S',
            evidence: `${quoteMatch(best)}\nNothing in it says how to restore, or that a restore was ever tested.`,
            recommendation: 'Document the restore (commands, how long it takes) and test it on a schedule.',
          },
        ],
      };
    }
    return {
      findings: [
        {
          rule: this.id,
          title: 'No backup and restore procedure',
          severity: 'MEDIUM',
          location: matches[0] ? matches[0].location : 'missing: a backup/restore procedure (docs/backup.md, a "Backup"/"Restore"/"Disaster recovery" section) with commands or steps',
          effort: 'M',
          evidence: `The service keeps data (${basis}); ${matches[0] ? `${describeMatch(matches[0])} has no command or numbered step` : 'no document of this project describes backups, restores, RTO/RPO or retention'}.`,
          recommendation: 'Document the backup strategy (what, how often, where, retention), the restore commands, the recovery time and data-loss objectives, and test a restore regularly.',
        },
      ],
    };
  },
};
