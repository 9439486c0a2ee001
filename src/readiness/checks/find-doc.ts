import type { DocSection } from '../doc-sections.js';
import { countSubstantiveWords, findActionable, isReleaseHeading, quoteActionable, type Actionable } from '../doc-substance.js';

export interface DocQuery {
  /** Matched against the path of a whole document. */
  file: RegExp;
  /** Matched against a heading. */
  title: RegExp;
  /** When set, the heading's section (or the whole named document) must also mention this. */
  mentions?: RegExp;
  /** Headings that look alike but are something else. */
  exclude?: RegExp;
}

export interface DocMatch {
  section: DocSection;
  location: string;
  /** Commands and numbered steps found in it. */
  actionable: Actionable[];
  /** It has something to follow (commands or numbered steps), not only headings and TODOs. */
  steps: boolean;
  words: number;
}

/** Documents and sections that answer the query, the most actionable first. */
export function findDocs(docs: DocSection[], query: DocQuery): DocMatch[] {
  const matches: DocMatch[] = [];
  for (const section of docs) {
    const hit =
      section.level === 0
        ? query.file.test(section.file.rel) && (!query.mentions || query.mentions.test(section.body))
        : query.title.test(section.title) &&
          !query.exclude?.test(section.title) &&
          !isReleaseHeading(section.title) &&
          (!query.mentions || query.mentions.test(`${section.title}\n${section.body}`));
    if (!hit) continue;
    const actionable = findActionable(section.body, section.bodyLine);
    matches.push({ section, location: `${section.file.rel}:${section.line}`, actionable, steps: actionable.length > 0, words: countSubstantiveWords(section.body) });
  }
  return matches.sort(
    (a, b) => b.actionable.length - a.actionable.length || b.words - a.words || a.location.localeCompare(b.location),
  );
}

/** `README.md:40 "Rollback"` or `RUNBOOK.md`. */
export function describeMatch(match: DocMatch): string {
  return match.section.level === 0 ? match.section.file.rel : `${match.location} "${match.section.title}"`;
}

/** What a pass shows: where, and the lines that make it count. */
export function quoteMatch(match: DocMatch): string {
  return `${describeMatch(match)}:\n${quoteActionable(match.section.file.rel, match.actionable)}`;
}
