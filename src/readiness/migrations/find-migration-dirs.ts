import type { ProjectFiles } from '../project-files.js';

export interface MigrationDirs {
  /** Folders for the guardrails' validator (Alembic revisions, SQL migrations). */
  guardrails: string[];
  /** Prisma's migrations folders (SQL files with no down migrations by design). */
  prisma: string[];
  /** Django migration modules. */
  django: string[];
  /** JavaScript/TypeScript migration modules (knex, sequelize, typeorm, node-pg-migrate, umzug). */
  javascript: string[];
}

const MIGRATION_SEGMENT = /(?:^|\/)[\w.-]*(?:migrations?|migrate|flyway|alembic|schema[-_]?changes?|changesets?)[\w.-]*(?:\/|$)/i;
const SQL_MIGRATION_NAME = /\.(?:up|down)\.sql$|^[VUR][0-9][0-9._]*__.+\.sql$/;
const SQL_MARKERS = /^[ \t]*--[ \t]*(?:migrate:up|\+goose[ \t]+Up)\b/im;
const ALEMBIC = /^\s*revision\s*(?::\s*str\s*)?=\s*['"]\w+['"]/m;
const ALEMBIC_PARENT = /^\s*down_revision\s*(?::[^=]+)?=/m;
const DJANGO = /\bclass\s+Migration\s*\(\s*migrations\.Migration\s*\)/;
// A JS/TS module with an up (and usually a down) written for a migration tool.
const JS_UP = /\bexports\.up\b|\bexport\s+(?:async\s+)?function\s+up\b|\basync\s+up\s*\(|(?<![\w$.])up\s*:\s*(?:async\s*)?(?:function\b|\()/;
const JS_TOOL = /\b(?:knex|Knex|queryInterface|QueryInterface|QueryRunner|MigrationInterface|pgm|MigrationBuilder|Sequelize|sequelize|umzug|Kysely|db\.schema)\b/;

/**
 * Where the project keeps its migrations, found by what the files are — an Alembic revision, a
 * Django Migration class, a knex/TypeORM/Sequelize module, a Flyway or up/down SQL file, Prisma's
 * folders — wherever they live (`_migrations/`, `db/versions/`). Tests, fixtures and examples are left out.
 */
export function findMigrationDirs(files: ProjectFiles): MigrationDirs {
  const guardrails = new Set<string>();
  const prisma = new Set<string>();
  const django: string[] = [];
  const javascript: string[] = [];
  for (const file of files.files) {
    if (file.test || file.skipped || /(?:^|\/)(?:examples?|docs?|samples?)\//.test(file.rel)) continue;
    const slash = file.rel.lastIndexOf('/');
    const dir = slash < 0 ? '.' : file.rel.slice(0, slash);
    const base = file.rel.slice(slash + 1);
    if (base.endsWith('.sql')) {
      const prismaDir = /^(.*?prisma\/migrations)\//.exec(file.rel);
      if (prismaDir?.[1]) prisma.add(prismaDir[1]);
      else if (SQL_MIGRATION_NAME.test(base) || MIGRATION_SEGMENT.test(dir) || SQL_MARKERS.test(files.text(file))) guardrails.add(nearestMigrationsDir(dir));
      continue;
    }
    if (base === '__init__.py' || file.language === undefined) continue;
    if (file.language === 'python') {
      const text = files.text(file);
      if (ALEMBIC.test(text) && ALEMBIC_PARENT.test(text)) guardrails.add(dir);
      else if (DJANGO.test(text)) django.push(file.rel);
    } else if (!file.clientSide) {
      const text = files.text(file);
      if (JS_UP.test(text) && JS_TOOL.test(text) && (MIGRATION_SEGMENT.test(dir) || /\bdown\b/.test(text))) javascript.push(file.rel);
    }
  }
  return { guardrails: outermost([...guardrails]), prisma: outermost([...prisma]), django, javascript };
}

/** The closest enclosing folder named like a migrations folder, else the folder itself. */
function nearestMigrationsDir(dir: string): string {
  const parts = dir === '.' ? [] : dir.split('/');
  for (let i = parts.length; i > 0; i--) {
    if (/^(?:migrations?|migrate|flyway)$/i.test(parts[i - 1] ?? '')) return parts.slice(0, i).join('/');
  }
  return dir;
}

/** Drops folders inside another folder of the list (the validator walks folders recursively). */
function outermost(dirs: string[]): string[] {
  const sorted = [...new Set(dirs)].sort();
  return sorted.filter((d) => !sorted.some((o) => o !== d && (o === '.' || d.startsWith(`${o}/`))));
}
