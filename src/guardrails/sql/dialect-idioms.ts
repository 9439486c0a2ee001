import type { Finding } from '../finding.js';
import type { ParseErrorList } from '../parse-errors.js';
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

/**
 * What a scan says of the `GO` lines it read as the end of a statement, added to its parse errors
 * (a file may have 600k of them: held compactly, no object per line).
 */
export function describeGoBatches(lines: readonly number[], file: string, into: ParseErrorList): void {
  into.addLines(file, "T-SQL batch separator 'GO' read as the end of a statement", lines);
}

/**
 * SQLite changes a table by rebuilding it: create `new_t`, copy, drop `t`, rename `new_t` to `t`.
 * The drop of `t` and the rename of the table made here are that idiom, not a loss of data.
 */
export function dropRebuildIdiom(findings: Finding[], created: readonly string[][]): Finding[] {
  const idiom = new RebuildIdiom();
  idiom.addCreated(created);
  idiom.noteRenames(findings);
  return idiom.finish(findings);
}

const RENAME = /ALTER\s+TABLE\s+[`"[]?(\w+)[`"\]]?\s+RENAME\s+TO\s+[`"[]?(\w+)/i;
const RENAMED = /ALTER\s+TABLE\s+[`"[]?(\w+)/i;

/**
 * The rebuild idiom judged over a whole text read in parts (a large file's chunks): the tables
 * made and the renames are taken in as they come; a finding surely the idiom's is let go at once
 * (what is known only grows), the rest are judged at the end with all of the text known. The
 * findings kept are those dropRebuildIdiom keeps over the whole text (a seed file of rebuilds holds
 * hundreds of thousands of drops and renames that are the idiom: they are not held to the end).
 */
export class RebuildIdiom {
  private readonly names = new Set<string | undefined>();
  private readonly renamedTo = new Set<string>();
  private readonly renamedFrom = new Set<string>();
  /** Renames of a table not (yet) known to be made in this text: from, to. */
  private waiting: [string, string][] = [];

  addCreated(created: readonly string[][]): void {
    for (const c of created) this.names.add(c[c.length - 1]);
  }

  noteRenames(findings: readonly Finding[]): void {
    for (const f of findings) {
      if (f.rule !== 'rename-table') continue;
      const m = RENAME.exec(f.statement ?? '');
      if (m?.[1] && m[2]) this.waiting.push([m[1].toLowerCase(), m[2].toLowerCase()]);
    }
  }

  /** The findings that are not the idiom by what is known so far (the rest of the text may still make some so). */
  prune(findings: readonly Finding[]): Finding[] {
    this.resolve();
    return findings.filter((f) => this.keeps(f));
  }

  /** The findings that are not the idiom, all of the text known. */
  finish(findings: readonly Finding[]): Finding[] {
    return this.prune(findings);
  }

  private resolve(): void {
    this.waiting = this.waiting.filter(([from, to]) => {
      if (!this.names.has(from)) return true;
      this.renamedFrom.add(from);
      this.renamedTo.add(to);
      return false;
    });
  }

  private keeps(f: Finding): boolean {
    if (f.rule === 'drop-table') return !(f.target ?? '').split(/,\s*/).every((t) => this.renamedTo.has(t.split('.').pop()?.toLowerCase() ?? ''));
    if (f.rule === 'rename-table') {
      const from = RENAMED.exec(f.statement ?? '')?.[1]?.toLowerCase();
      return !(from && this.renamedFrom.has(from));
    }
    return true;
  }
}
