import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scanPaths } from '../../src/guardrails/index.js';

// Issue 20, point 1: JavaScript and TypeScript migrations passed silently. Each form's fixture is
// shaped like the real thing (Knex, Sequelize, TypeORM, db-migrate, node-pg-migrate).
const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, '../fixtures/migrations');

async function scan(rel: string) {
  const result = await scanPaths([path.join(fixtures, rel)]);
  return {
    found: result.findings.map((f) => `${f.line} ${f.rule}${f.target ? ` ${f.target}` : ''}${f.direction === 'downgrade' ? ' (down)' : ''}`),
    findings: result.findings,
    notScanned: result.notScanned.map((n) => path.basename(n.file)),
  };
}

describe('JavaScript and TypeScript migrations', () => {
  it('Knex: schema.table callbacks, .alter(), dropTableIfExists and knex.raw; down undoing up is not reported', async () => {
    const { found } = await scan('knex/migrations/20240101120000_drop_legacy.js');
    expect(found).toEqual([
      '3 drop-column users.legacy_flag',
      '4 add-not-null-without-default users.nickname',
      '5 index-not-concurrent users.users_email_idx',
      '8 alter-column-type orders.total',
      '8 set-not-null orders.total',
      '10 drop-table audit_old',
      '11 drop-column payments.card_number',
    ]);
  });

  it('Knex TypeScript: operations on a table created in the same step are not reported', async () => {
    const { found, notScanned } = await scan('knex/migrations/20240102120000_created_here.ts');
    expect(found).toEqual([]);
    expect(notScanned).toEqual([]);
  });

  it('Knex: `CREATE INDEX ${ifNotExists} name` reads the index name, so the down dropping it is quiet', async () => {
    const { found, findings } = await scan('knex/migrations/20240103120000_if_not_exists.js');
    expect(found).toEqual(['3 index-not-concurrent pages_path_idx']);
    expect(findings[0]?.statement).toBe('CREATE INDEX ${ifNotExists} pages_path_idx ON pages (path)');
    // The note says what stood in: the words IF NOT EXISTS, not a name.
    expect(findings[0]?.message).toContain('read with IF NOT EXISTS standing in for ${ifNotExists}');
    expect(findings[0]?.message).not.toContain('a name standing in');
  });

  it('Sequelize: queryInterface calls and sequelize.query(sql); a template is read with its placeholder, a built string is unresolved-sql', async () => {
    const { found, findings } = await scan('sequelize/migrations/20230505-remove-avatar.js');
    expect(found).toEqual([
      '5 drop-column users.avatar',
      '6 alter-column-type users.age',
      '7 add-not-null-without-default users.tenantid',
      '10 index-not-concurrent users.users_status',
      '11 drop-table Sessions',
      '13 truncate table___',
      '14 unresolved-sql',
    ]);
    expect(findings.find((f) => f.rule === 'truncate')?.message).toContain('${table}');
    expect(findings.find((f) => f.rule === 'unresolved-sql')?.message).toContain('buildStatement');
  });

  it('Sequelize changeColumn: a type the other step gives the column too is no change of type', async () => {
    const { found } = await scan('sequelize/migrations/20230506-nullable-author.js');
    expect(found).toEqual(['6 alter-column-type documents.title', '9 set-not-null documents.authorid (down)', '10 alter-column-type documents.title (down)']);
  });

  it('TypeORM: queryRunner.query(sql) and queryRunner.dropColumn/addColumn/createIndex; down knows what up added', async () => {
    const { found } = await scan('typeorm/migrations/1700000000000-DropLegacy.ts');
    expect(found).toEqual([
      '7 drop-column post.legacy',
      '8 rename-column title -> headline',
      '9 drop-column comment.spam_score',
      '10 add-not-null-without-default comment.author_id',
      '11 index-not-concurrent comment.idx_comment_author',
      '17 rename-column headline -> title (down)',
    ]);
  });

  it('db-migrate: db.runSql and db.removeColumn inside callbacks', async () => {
    const { found } = await scan('db-migrate/migrations/20150309023251-drop-containerport.js');
    expect(found).toEqual(['5 drop-column appportbindings.containerport', '7 drop-column apps.lastbackupid']);
  });

  it('node-pg-migrate: pgm.* and pgm.sql', async () => {
    const { found } = await scan('pg-migrate/migrations/1600000000000_accounts.js');
    expect(found).toEqual([
      '4 drop-column accounts.legacy_id',
      '4 drop-column accounts.old_email',
      '5 alter-column-type accounts.balance',
      '6 set-not-null accounts.owner',
      '7 add-not-null-without-default accounts.region',
      '9 index-not-concurrent accounts',
      '10 drop-table account_snapshots',
    ]);
  });

  it('a file in a migrations folder that no reader understands is listed as not scanned and fails the scan', async () => {
    const { found, notScanned } = await scan('unread/migrations');
    expect(notScanned).toEqual(['0007_custom_runner.js']);
    expect(found.map((f) => f.split(' ')[1])).toEqual(['unreadable-file']);
  });
});
