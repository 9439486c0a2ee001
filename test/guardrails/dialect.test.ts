import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scanPaths } from '../../src/guardrails/index.js';

// MySQL files get MySQL-true advice: no CONCURRENTLY, NOT VALID or lock_timeout, which MySQL lacks.
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'al-dialect-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const INDEX = 'CREATE INDEX idx_a ON t (a);\nALTER TABLE t DROP COLUMN b;\n';
const rulesOf = async (dir: string, options = {}) =>
  (await scanPaths([dir], options)).findings.map((f) => `${path.relative(dir, f.file)} ${f.rule}`).sort();

describe('SQL dialect per file', () => {
  it('a migration beside MySQL ones is read as MySQL, even without MySQL syntax of its own', async () => {
    const dir = project({ 'db/001_users.sql': 'CREATE TABLE `users` (`id` int AUTO_INCREMENT PRIMARY KEY);\n', 'db/002_idx.sql': INDEX });
    expect(await rulesOf(dir)).toEqual(['db/002_idx.sql drop-column']);
  });

  it("a file's name outweighs its siblings: x.postgres.up.sql beside x.mysql.up.sql", async () => {
    const dir = project({ 'm/1_a.mysql.up.sql': `ALTER TABLE \`t\` ADD COLUMN \`c\` int;\n${INDEX}`, 'm/1_a.postgres.up.sql': INDEX });
    expect(await rulesOf(dir)).toEqual([
      'm/1_a.mysql.up.sql drop-column',
      'm/1_a.postgres.up.sql drop-column',
      'm/1_a.postgres.up.sql index-not-concurrent',
      'm/1_a.postgres.up.sql missing-lock-timeout',
    ]);
  });

  it("Prisma's migration_lock.toml names the provider", async () => {
    const dir = project({ 'prisma/migrations/migration_lock.toml': 'provider = "mysql"\n', 'prisma/migrations/20240101_init/migration.sql': INDEX });
    expect(await rulesOf(dir)).toEqual(['prisma/migrations/20240101_init/migration.sql drop-column']);
  });

  it('--dialect settles it for every file', async () => {
    const dir = project({ 'a.sql': INDEX });
    expect(await rulesOf(dir, { dialect: 'mysql' })).toEqual(['a.sql drop-column']);
    expect(await rulesOf(dir, { dialect: 'postgres' })).toEqual(['a.sql drop-column', 'a.sql index-not-concurrent', 'a.sql missing-lock-timeout']);
  });
});
