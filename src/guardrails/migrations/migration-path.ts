import path from 'node:path';

// Where a file says it is a migration: a folder named like migrations (`migrations/`, `migrate/`,
// `db/migrations/`) or a name that starts with a number or a timestamp (`0042_add_email.py`,
// `20240101120000-drop-legacy.js`). Such a file that no reader understands is listed as not read.

const FOLDER = /^(migrations?|migrate|db[-_]?migrations?|schema[-_]?migrations?|versions)$/i;
const NAME = /^(\d{3,}|V\d+__)[\w.-]*\.(js|mjs|cjs|ts|mts|cts|py)$/;
const NOT_MIGRATIONS = /^(__init__\.py|env\.py|conftest\.py|index\.(js|ts|mjs|cjs)|.*\.d\.ts|.*\.(test|spec)\.(js|ts|mjs|cjs|py)|knexfile\.(js|ts)|\.?sequelizerc|config\.(js|ts|json))$/i;

/** Whether a code file's path says it is a migration (so a reader must understand it). */
export function isMigrationPath(file: string): boolean {
  const base = path.basename(file);
  if (NOT_MIGRATIONS.test(base)) return false;
  if (NAME.test(base)) return true;
  const dirs = path.dirname(file).split(/[\\/]/);
  const last = dirs[dirs.length - 1] ?? '';
  // `alembic/versions/` and `app/migrations/`; `versions/` alone says nothing.
  if (/^versions$/i.test(last)) return FOLDER.test(dirs[dirs.length - 2] ?? '') || /alembic/i.test(dirs[dirs.length - 2] ?? '');
  return FOLDER.test(last);
}

/** Why such a file is listed as not read. */
export const NOT_UNDERSTOOD =
  'in a migrations folder (or named like a migration), but no migration reader understands it (Knex, Sequelize, TypeORM, db-migrate, node-pg-migrate, Kysely, Django, Alembic)';
