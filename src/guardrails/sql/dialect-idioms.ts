import type { Finding } from '../finding.js';
import { LineIndex } from '../line-index.js';

// What one dialect writes that another would misread: T-SQL's `GO` batch lines, SQLite's table rebuild.

/** `GO` alone on a line (T-SQL's batch separator) becomes `;` and a space; where it was, by line. */
export function readGoBatches(text: string): { text: string; lines: number[] } {
  if (!/^[ \t]*GO[ \t]*$/im.test(text)) return { text, lines: [] };
  const lines: number[] = [];
  const index = new LineIndex(text);
  const out = text.replace(/^([ \t]*)GO([ \t]*)$/gim, (_m, a: string, b: string, at: number) => {
    lines.push(index.lineOf(at));
    return `${a}; ${b}`;
  });
  return { text: out, lines };
}

/** What a scan says of the `GO` lines it read as the end of a statement. */
export function describeGoBatches(lines: readonly number[]): { line: number; message: string }[] {
  return lines.map((line) => ({ line, message: "T-SQL batch separator 'GO' read as the end of a statement" }));
}

/**
 * SQLite changes a table by rebuilding it: create `new_t`, copy, drop `t`, rename `new_t` to `t`.
 * The drop of `t` and the rename of the table made here are that idiom, not a loss of data.
 */
export function dropRebuildIdiom(findings: Finding[], created: string[][]): Finding[] {
  const renamedTo = new Set<string>();
  const renamedFrom = new Set<string>();
  const names = new Set(created.map((c) => c[c.length - 1]));
  for (const f of findings) {
    const m = /ALTER\s+TABLE\s+[`"[]?(\w+)[`"\]]?\s+RENAME\s+TO\s+[`"[]?(\w+)/i.exec(f.statement ?? '');
    if (f.rule === 'rename-table' && m?.[1] && m[2] && names.has(m[1].toLowerCase())) {
      renamedFrom.add(m[1].toLowerCase());
      renamedTo.add(m[2].toLowerCase());
    }
  }
  return findings.filter((f) => {
    if (f.rule === 'drop-table') return !(f.target ?? '').split(/,\s*/).every((t) => renamedTo.has(t.split('.').pop()?.toLowerCase() ?? ''));
    if (f.rule === 'rename-table') {
      const from = /ALTER\s+TABLE\s+[`"[]?(\w+)/i.exec(f.statement ?? '')?.[1]?.toLowerCase();
      return !(from && renamedFrom.has(from));
    }
    return true;
  });
}
