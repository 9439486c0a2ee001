import { scanSqlText } from '../../guardrails/index.js';
import type { ProjectFiles } from '../project-files.js';
import { findClosing, lineAt, type LexedSource } from '../source/lexed-source.js';
import type { MigrationReview, MigrationStatement } from './migration-review.js';

// Builder calls of knex, sequelize, typeorm and node-pg-migrate that drop tables, columns or rows.
const DESTRUCTIVE_CALL = /\.(dropTable|dropTableIfExists|dropColumn|dropColumns|removeColumn|bulkDelete|truncate|dropSchema|dropDatabase)\s*\(/g;

/**
 * JavaScript/TypeScript migrations (knex, sequelize, typeorm, node-pg-migrate, umzug): a module
 * with an `up` is reversible when it has a `down` that does something (not empty, not only a
 * throw, not node-pg-migrate's `exports.down = false`).
 */
export async function reviewJavaScriptMigrations(files: ProjectFiles, rels: string[]): Promise<MigrationReview[]> {
  const reviews: MigrationReview[] = [];
  for (const rel of rels) {
    const file = files.get(rel);
    if (!file) continue;
    const source = files.lexed(file);
    const up = findFunction(source, 'up');
    if (!up) continue;
    const down = findFunction(source, 'down');
    const downState = !down ? 'missing' : down.state;
    const destructive: MigrationStatement[] = [];
    const body = source.code.slice(up.start, up.end);
    for (const m of body.matchAll(DESTRUCTIVE_CALL)) {
      destructive.push({ line: lineAt(source, up.start + m.index), rule: m[1] ?? 'drop', message: `${m[1] ?? 'drop'}() drops stored data`, severity: /table|schema|database|truncate|bulkDelete/i.test(m[1] ?? '') ? 'CRITICAL' : 'HIGH' });
    }
    for (const token of source.strings) {
      if (token.start < up.start || token.start >= up.end || !/\b(?:drop|truncate|delete|update|alter)\b/i.test(token.value)) continue;
      for (const f of await scanSqlText(token.value, rel)) {
        if (!f.suppressed && f.severity !== 'LOW') destructive.push({ line: lineAt(source, token.start) + f.line - 1, rule: f.rule, message: f.message, severity: f.severity });
      }
    }
    const review: MigrationReview = { file: rel, kind: 'javascript', reversible: downState === 'present', statements: destructive, brokenDowngrade: [] };
    if (downState !== 'present') {
      review.irreversibleBecause = { missing: 'no down()', empty: 'down() does nothing', raises: 'down() only throws', disabled: 'down is set to false' }[downState];
    }
    reviews.push(review);
  }
  return reviews;
}

interface FunctionSpan {
  start: number;
  end: number;
  state: 'present' | 'empty' | 'raises' | 'disabled';
}

/** `exports.up = …`, `export async function up(…)`, `up: async (…) => …`, `async up(queryRunner) {…}`. */
function findFunction(source: LexedSource, name: string): FunctionSpan | undefined {
  const { code } = source;
  const re = new RegExp(
    `(?:\\b(?:module\\.)?exports\\.${name}\\s*=|\\bfunction\\s+${name}\\s*\\(|(?<![\\w$.])${name}\\s*:|^[ \\t]*(?:public\\s+)?(?:async\\s+)?${name}\\s*\\()`,
    'm',
  );
  const m = re.exec(code);
  if (!m) return undefined;
  const after = m.index + m[0].length;
  if (/^\s*false\b/.test(code.slice(after, after + 12))) return { start: after, end: after, state: 'disabled' };
  const brace = code.indexOf('{', after);
  const arrow = code.indexOf('=>', after);
  if (arrow >= 0 && (brace < 0 || arrow < brace) && !/^\s*\{/.test(code.slice(arrow + 2))) {
    const paren = code.indexOf('(', arrow);
    const lineEnd = code.indexOf('\n', arrow);
    const end = paren >= 0 && (lineEnd < 0 || paren < lineEnd) ? findClosing(code, paren) : lineEnd < 0 ? code.length : lineEnd;
    return { start: arrow, end, state: 'present' };
  }
  if (brace < 0) return undefined;
  const end = findClosing(code, brace);
  const inner = code.slice(brace + 1, end - 1).replace(/\s+/g, ' ').trim();
  let state: FunctionSpan['state'] = 'present';
  if (/^(?:return\s*(?:Promise\.resolve\(\s*\))?\s*;?)?$/.test(inner)) state = 'empty';
  else if (/^throw\b/.test(inner)) state = 'raises';
  return { start: brace, end, state };
}
