// Large SQL files for the scan benches (bench:scan, bench:scan-forms), written a megabyte at a time:
// real-shaped migrations in each form the scanner reads (PostgreSQL, MySQL, SQLite, templated,
// T-SQL with GO, Latin-1).
import { closeSync, openSync, statSync, writeSync } from 'node:fs';

/** One migration as people write them: a table, an index, columns and constraints added, a backfill. */
export function migration(i: number): string {
  const t = `table_${i}`;
  return [
    `-- migration ${i}`,
    `CREATE TABLE ${t} (id bigint PRIMARY KEY, owner bigint NOT NULL, note text, status varchar(20));`,
    `CREATE INDEX ${t}_owner_idx ON ${t} (owner);`,
    `ALTER TABLE accounts ADD COLUMN c_${i} integer;`,
    `ALTER TABLE accounts ADD CONSTRAINT c_${i}_nn CHECK (c_${i} IS NOT NULL) NOT VALID;`,
    `ALTER TABLE accounts VALIDATE CONSTRAINT c_${i}_nn;`,
    `ALTER TABLE accounts ALTER COLUMN c_${i} SET NOT NULL;`,
    `ALTER TABLE ${t} ADD CONSTRAINT ${t}_fk FOREIGN KEY (owner) REFERENCES accounts(id);`,
    `ALTER TABLE ${t} ALTER COLUMN note TYPE varchar(200);`,
    i % 5 === 0 && i > 0 ? `ALTER TABLE accounts ALTER COLUMN c_${i - 1} TYPE bigint;` : `UPDATE accounts SET c_${i} = 0 WHERE id < 100;`,
    `INSERT INTO ${t} VALUES (1, 2, 'a note; with -- chars', 'new'), (2, 3, 'x', 'old');`,
    i % 9 === 0 ? `DROP TABLE legacy_${i};` : `COMMENT ON TABLE ${t} IS 'table ${i}';`,
    '',
  ].join('\n');
}

/** MySQL: backticks, ENGINE=, `#` comments, backslash escapes, a trigger under DELIMITER $$ now and then. */
export function mysqlMigration(i: number): string {
  const t = `table_${i}`;
  return [
    `-- migration ${i}`,
    `CREATE TABLE \`${t}\` (\`id\` bigint unsigned NOT NULL AUTO_INCREMENT, \`owner\` bigint NOT NULL, \`note\` text, PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;`,
    `CREATE INDEX \`${t}_owner_idx\` ON \`${t}\` (\`owner\`);`,
    `ALTER TABLE \`accounts\` ADD COLUMN \`c_${i}\` int NULL;`,
    '# backfill',
    `UPDATE \`accounts\` SET \`c_${i}\` = 0 WHERE \`id\` < 100;`,
    `INSERT INTO \`${t}\` VALUES (1, 2, 'it\\'s; a note -- with chars'), (2, 3, "x");`,
    `ALTER TABLE \`accounts\` MODIFY \`c_${i}\` bigint;`,
    i % 7 === 0 ? `DELIMITER $$\nCREATE TRIGGER \`tr_${i}\` BEFORE INSERT ON \`${t}\` FOR EACH ROW\nBEGIN\n  SET NEW.note = 'x;';\nEND$$\nDELIMITER ;` : `ALTER TABLE \`${t}\` ADD INDEX \`n_${i}\` (\`note\`(10));`,
    i % 9 === 0 ? `DROP TABLE \`legacy_${i}\`;` : `ALTER TABLE \`${t}\` COMMENT = 'table ${i}';`,
    '',
  ].join('\n');
}

/** SQLite: PRAGMA, AUTOINCREMENT, the table-rebuild idiom. */
export function sqliteMigration(i: number): string {
  return [
    i === 0 ? 'PRAGMA foreign_keys = OFF;' : `-- migration ${i}`,
    `CREATE TABLE new_t_${i} (id INTEGER PRIMARY KEY AUTOINCREMENT, owner INTEGER NOT NULL, note TEXT);`,
    `INSERT INTO new_t_${i} (id, owner, note) SELECT id, owner, note FROM t_${i};`,
    `DROP TABLE t_${i};`,
    `ALTER TABLE new_t_${i} RENAME TO t_${i};`,
    `CREATE INDEX t_${i}_owner_idx ON t_${i} (owner);`,
    `ALTER TABLE accounts ADD COLUMN c_${i} integer;`,
    `UPDATE accounts SET c_${i} = 0 WHERE id < 100;`,
    i % 9 === 0 ? `DROP TABLE legacy_${i};` : `INSERT INTO t_${i} VALUES (1, 2, 'a note; with -- chars');`,
    '',
  ].join('\n');
}

/** Templated PostgreSQL: `${schema}`, psql's `:"tbl"` and `:name`, `{{ table }}`. */
export function templatedMigration(i: number): string {
  const text = migration(i).replaceAll('accounts', '${schema}.accounts');
  return `${text}ALTER TABLE :"tbl" DROP COLUMN c_${i};\nUPDATE {{ table }} SET a = :value;\n`;
}

/** T-SQL: batches ended by GO lines. */
export function goMigration(i: number): string {
  const t = `dbo.table_${i}`;
  return [
    `-- migration ${i}`,
    `CREATE TABLE ${t} (id bigint PRIMARY KEY, owner bigint NOT NULL, note nvarchar(200))`,
    'GO',
    `CREATE INDEX table_${i}_owner_idx ON ${t} (owner)`,
    'GO',
    `ALTER TABLE dbo.accounts ADD c_${i} int NULL`,
    'GO',
    `UPDATE dbo.accounts SET c_${i} = 0 WHERE id < 100;`,
    `INSERT INTO ${t} VALUES (1, 2, N'a note; with -- chars');`,
    i % 9 === 0 ? `DROP TABLE dbo.legacy_${i}\nGO` : `ALTER TABLE ${t} ALTER COLUMN note nvarchar(400)\nGO`,
    '',
  ].join('\n');
}

/** PostgreSQL migrations written in Latin-1 (a comment with é in each: not UTF-8 from the first line). */
export function latin1Migration(i: number): string {
  return `-- café ${i}\n${migration(i)}`;
}

/**
 * Writes about `megabytes` of `generate(0), generate(1), ...` in `encoding`, then `tail`
 * (Latin-1 when encoding is latin1); gives the size in MB.
 */
export function writeBig(file: string, megabytes: number, generate = migration, encoding: 'utf8' | 'latin1' = 'utf8', tail = ''): number {
  const fd = openSync(file, 'w');
  let chunk = '';
  let written = 0;
  const write = (text: string): void => {
    writeSync(fd, Buffer.from(text, encoding));
  };
  for (let i = 0; written + chunk.length < megabytes * 1024 * 1024; i++) {
    chunk += generate(i);
    if (chunk.length > 1 << 20) {
      write(chunk);
      written += chunk.length;
      chunk = '';
    }
  }
  write(chunk);
  if (tail) writeSync(fd, Buffer.from(tail, 'latin1'));
  closeSync(fd);
  return statSync(file).size / 1024 / 1024;
}
