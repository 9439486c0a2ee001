import { countWords, hasSteps, type DocSection } from '../doc-sections.js';

export interface DocQuery {
  /** Matched against the path of a whole document. */
  file: RegExp;
  /** Matched against a heading. */
  title: RegExp;
  /** When set, the heading's section must also mention this (title or body). */
  mentions?: RegExp;
  /** Headings that look alike but are something else. */
  exclude?: RegExp;
}

export interface DocMatch {
  section: DocSection;
  location: string;
  steps: boolean;
  words: number;
}

/** Documents and sections that answer the query, the most substantial first. */
export function findDocs(docs: DocSection[], query: DocQuery): DocMatch[] {
  const matches: DocMatch[] = [];
  for (const section of docs) {
    const hit =
      section.level === 0
        ? query.file.test(section.file.rel)
        : query.title.test(section.title) &&
          !query.exclude?.test(section.title) &&
          (!query.mentions || query.mentions.test(`${section.title}\n${section.body}`));
    if (!hit) continue;
    matches.push({ section, location: `${section.file.rel}:${section.line}`, steps: hasSteps(section.body), words: countWords(section.body) });
  }
  return matches.sort((a, b) => Number(b.steps) - Number(a.steps) || b.words - a.words || a.location.localeCompare(b.location));
}

/** `README.md:40 "Rollback"` or `RUNBOOK.md`. */
export function describeMatch(match: DocMatch): string {
  return match.section.level === 0 ? match.section.file.rel : `${match.location} "${match.section.title}"`;
}
