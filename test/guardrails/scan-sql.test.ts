import { describe, expect, it } from 'vitest';
import { formatViolations, isBlocking, scanSqlText } from '../../src/guardrails/index.js';

const brief = (findings: { line: number; rule: string; suppressed: boolean }[]) => findings.map((f) => `${f.line} ${f.rule}${f.suppressed ? ' (suppressed)' : ''}`);

describe('scanSqlText', () => {
  it('reports the line where each statement starts, after multi-line non-ASCII literals', async () => {
    const sql = [
      "INSERT INTO notes VALUES ('Zoë 🚀", // 1
      '東京; DROP TABLE fake;', // 2
      "Ærø'), ($$", // 3
      'DROP TABLE in_dollars; $$);', // 4
      '', // 5
      'DROP TABLE real_one; DELETE', // 6
      '  FROM t;', // 7
    ].join('\n');
    expect(brief(await scanSqlText(sql, 'x.sql'))).toEqual(['6 drop-table', '6 delete-without-where']);
  });

  it('names what the finding is about and quotes the statement on one line', async () => {
    const [f] = await scanSqlText('ALTER TABLE users\n  RENAME COLUMN email TO mail;', 'm.sql');
    expect(f).toMatchObject({ file: 'm.sql', line: 1, rule: 'rename-column', severity: 'HIGH', target: 'email -> mail', statement: 'ALTER TABLE users RENAME COLUMN email TO mail', suppressed: false });
    expect(f?.fix).toContain('expand/contract');
  });

  it('applies severity overrides, and a suppressed CRITICAL finding does not block', async () => {
    const overridden = await scanSqlText('DROP TABLE a;', 'a.sql', { severityOverrides: { 'drop-table': 'HIGH' } });
    expect(overridden[0]?.severity).toBe('HIGH');
    expect(isBlocking(overridden)).toBe(false);
    expect(isBlocking(await scanSqlText('DROP TABLE a;', 'a.sql'))).toBe(true);
    expect(isBlocking(await scanSqlText('DROP TABLE a; -- safety-exception', 'a.sql'))).toBe(false);
  });

  it('falls back to the tokenizer where the parser rejects the text, never to a line regex', async () => {
    const sql = "DELETE FROM {{ t }}\n  WHERE id = {{ id }};\nSELECT '\nDROP TABLE x;\n';\nUPDATE ${t} SET a = 1;";
    expect(brief(await scanSqlText(sql, 't.sql'))).toEqual(['6 update-without-where']);
  });

  it('leaves Postgres-only lock rules out of MySQL text', async () => {
    const sql = 'CREATE TABLE `t` (id int AUTO_INCREMENT PRIMARY KEY);\nCREATE INDEX i ON t (id);\nDROP INDEX i ON t;\nALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id);';
    expect(await scanSqlText(sql, 'my.sql')).toEqual([]);
  });

  it('reads statements inside DO blocks but not inside function bodies', async () => {
    const sql = 'CREATE FUNCTION f() RETURNS void AS $$ BEGIN DROP TABLE a; END $$ LANGUAGE plpgsql;\nDO $$ BEGIN\n  DROP TABLE b;\nEND $$;\nDO LANGUAGE plpythonu $$ plpy.execute("DROP TABLE c") $$;';
    expect(brief(await scanSqlText(sql, 'do.sql'))).toEqual(['3 drop-table']);
  });

  it('finds unbounded writes in data-modifying CTEs', async () => {
    const sql = 'WITH moved AS (DELETE FROM queue RETURNING *) INSERT INTO done SELECT * FROM moved;\nWITH x AS (UPDATE t SET a = 1 WHERE id = 2 RETURNING id) SELECT * FROM x;';
    expect(brief(await scanSqlText(sql, 'cte.sql'))).toEqual(['1 delete-without-where']);
  });

  it('a safety-exception covers one statement, for the rule it names, and carries its reason into the report', async () => {
    const sql = 'DROP TABLE a; DROP TABLE b; -- safety-exception: drop-table b was archived in TICKET-7\nTRUNCATE c; -- safety-exception: drop-table wrong rule\n';
    const findings = await scanSqlText(sql, 'x.sql');
    expect(findings.map((f) => [f.target ?? '', f.rule, f.suppressed, f.exception ?? ''])).toEqual([
      ['a', 'drop-table', false, ''],
      ['b', 'drop-table', true, 'b was archived in TICKET-7'],
      ['c', 'truncate', false, ''],
    ]);
    expect(formatViolations(findings)).toContain('x.sql:1  CRITICAL  drop-table (b)  [suppressed: safety-exception: b was archived in TICKET-7]');
  });
});
