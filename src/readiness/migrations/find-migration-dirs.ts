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

const MIGRATION_SEGMENT = /(?:^|\/)(?:migrations?|migrate|flyway|alembic)(?:\/|$)/i;
const SQL_MIGRATION_NAME = /\.(?:up|down)\.sql$|^[VU][0-9][0-9._]*__.+\.sql$/;

/** Where the project keeps its migrations, found by looking (tests, fixtures and examples left out). */
export function findMigrationDirs(files: ProjectFiles): MigrationDirs {
  const guardrails = new Set<string>();
  const prisma = new Set<string>();
  const django: string[] = [];
  const javascript: string[] = [];
  for (const file of files.files) {
    if (file.test || /(?:^|\/)(?:examples?|docs?)\//.test(file.rel)) continue;
    const slash = file.rel.lastIndexOf('/');
    const dir = slash < 0 ? '.' : file.rel.slice(0, slash);
    const base = file.rel.slice(slash + 1);
    if (base.endsWith('.sql')) {
      const prismaDir = /^(.*?prisma\/migrations)\//.exec(file.rel);
      if (prismaDir?.[1]) prisma.add(prismaDir[1]);
      else if (MIGRATION_SEGMENT.test(file.rel) || SQL_MIGRATION_NAME.test(base)) guardrails.add(nearestMigrationsDir(dir));
      continue;
    }
    if (!MIGRATION_SEGMENT.test(dir) || base === '__init__.py') continue;
    if (file.language === 'python') {
      const text = files.text(file);
      if (/^\s*(?:down_revision|revision)\s*[:=]/m.test(text) || /^\s*from\s+alembic\s+import\b/m.test(text)) guardrails.add(dir);
      else if (/\bclass\s+Migration\s*\(\s*migrations\.Migration\s*\)/.test(text)) django.push(file.rel);
    } else if (file.language === 'javascript' && !file.clientSide) {
      javascript.push(file.rel);
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
