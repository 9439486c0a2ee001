import { scanSqlText } from '../../guardrails/index.js';
import type { ProjectFiles } from '../project-files.js';
import { lineAt, splitArguments, type LexedSource } from '../source/lexed-source.js';
import type { MigrationReview, MigrationStatement } from './migration-review.js';

/**
 * Django migrations: Django reverses schema operations by itself, so a migration is irreversible
 * only through a RunPython without reverse_code or a RunSQL without reverse_sql. Destructive: SQL
 * in RunSQL the guardrails rate CRITICAL/HIGH, and DeleteModel/RemoveField (data is lost even
 * though Django can recreate the table or column).
 */
export async function reviewDjangoMigrations(files: ProjectFiles, rels: string[]): Promise<MigrationReview[]> {
  const reviews: MigrationReview[] = [];
  for (const rel of rels) {
    const file = files.get(rel);
    if (!file) continue;
    const source = files.lexed(file);
    const destructive: MigrationStatement[] = [];
    const irreversible: string[] = [];
    for (const m of source.code.matchAll(/\bmigrations\.(RunPython|RunSQL|DeleteModel|RemoveField)\s*\(/g)) {
      const op = m[1] ?? '';
      const line = lineAt(source, m.index);
      const args = splitArguments(source.code, m.index + m[0].length - 1);
      if (op === 'DeleteModel' || op === 'RemoveField') {
        destructive.push({ line, rule: op, message: `migrations.${op} drops stored data`, severity: op === 'DeleteModel' ? 'CRITICAL' : 'HIGH' });
        continue;
      }
      const reverseKeyword = op === 'RunPython' ? 'reverse_code' : 'reverse_sql';
      const positional = args.filter((a) => !/^\w+\s*=/.test(a.code));
      if (positional.length < 2 && !args.some((a) => new RegExp(`^${reverseKeyword}\\s*=`).test(a.code))) {
        irreversible.push(`${op} at line ${line} has no ${reverseKeyword}`);
      }
      if (op === 'RunSQL' && args[0]) {
        for (const sql of sqlStrings(source, args[0].start, args[0].end)) {
          for (const f of await scanSqlText(sql.text, rel)) {
            if (!f.suppressed && f.severity !== 'LOW') destructive.push({ line: sql.line + f.line - 1, rule: f.rule, message: f.message, severity: f.severity });
          }
        }
      }
    }
    const review: MigrationReview = { file: rel, kind: 'django', reversible: irreversible.length === 0, statements: destructive, brokenDowngrade: [] };
    if (irreversible.length > 0) review.irreversibleBecause = irreversible.join('; ');
    reviews.push(review);
  }
  return reviews;
}

/** The string literals between two offsets, with their lines. */
function sqlStrings(source: LexedSource, start: number, end: number): Array<{ text: string; line: number }> {
  const out: Array<{ text: string; line: number }> = [];
  for (let at = start; at < end; ) {
    const token = source.strings.find((s) => s.start >= at && s.start < end);
    if (!token) break;
    out.push({ text: token.value, line: lineAt(source, token.start) });
    at = token.end;
  }
  return out;
}
