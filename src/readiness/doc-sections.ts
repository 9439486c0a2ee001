import type { ProjectFile, ProjectFiles } from './project-files.js';

/** A heading of a document and the text under it (its subsections included). */
export interface DocSection {
  file: ProjectFile;
  title: string;
  /** 1 for a top heading; 0 for the whole file (title: the file name). */
  level: number;
  /** 1-based line of the heading. */
  line: number;
  body: string;
}

// Release notes talk about rollbacks and deployments of the past, not how to do them.
const RELEASE_NOTES = /^(?:changelog|changes|history|news|releases?|release-notes)(?:\.|$)/i;

// Examples and samples are other, smaller projects with documents of their own.
const OTHER_PROJECTS = /(?:^|\/)(?:examples?|samples?|templates?|\.github)\//i;

/** Sections of the project's documents (Markdown, reStructuredText, AsciiDoc, text). */
export function parseDocs(files: ProjectFiles): DocSection[] {
  const sections: DocSection[] = [];
  for (const file of files.docs()) {
    if (file.test || OTHER_PROJECTS.test(file.rel)) continue;
    const base = file.rel.slice(file.rel.lastIndexOf('/') + 1);
    if (RELEASE_NOTES.test(base)) continue;
    const text = files.text(file);
    sections.push({ file, title: base, level: 0, line: 1, body: text });
    sections.push(...parseHeadings(file, text));
  }
  return sections;
}

interface Heading {
  title: string;
  level: number;
  /** 0-based index of the heading's first line. */
  index: number;
  /** 0-based index of the first body line. */
  bodyIndex: number;
}

function parseHeadings(file: ProjectFile, text: string): DocSection[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const headings = file.rel.endsWith('.rst') ? rstHeadings(lines) : file.rel.endsWith('.adoc') ? adocHeadings(lines) : markdownHeadings(lines);
  return headings.map((h, k) => {
    let end = lines.length;
    for (const later of headings.slice(k + 1)) {
      if (later.level <= h.level) {
        end = later.index;
        break;
      }
    }
    return { file, title: h.title, level: h.level, line: h.index + 1, body: lines.slice(h.bodyIndex, end).join('\n') };
  });
}

function markdownHeadings(lines: string[]): Heading[] {
  const out: Heading[] = [];
  let fence: string | null = null;
  let start = 0;
  if (lines[0]?.trim() === '---') {
    const close = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
    if (close > 0) start = close + 1;
  }
  for (let i = start; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const fenceMatch = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fenceMatch?.[1]) {
      if (fence === null) fence = fenceMatch[1].slice(0, 3);
      else if (line.trim().startsWith(fence)) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const atx = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (atx?.[1]) {
      out.push({ title: cleanTitle(atx[2] ?? ''), level: atx[1].length, index: i, bodyIndex: i + 1 });
      continue;
    }
    const under = lines[i + 1] ?? '';
    if (line.trim() && !/^\s*(?:[-*+>|]|\d+[.)])\s/.test(line) && /^ {0,3}(?:=+|-{2,})\s*$/.test(under)) {
      out.push({ title: cleanTitle(line), level: under.trim().startsWith('=') ? 1 : 2, index: i, bodyIndex: i + 2 });
      i++;
    }
  }
  return out;
}

function rstHeadings(lines: string[]): Heading[] {
  const out: Heading[] = [];
  const styles: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const under = lines[i + 1] ?? '';
    const m = /^([=\-~^"'`#*+:.])\1{2,}\s*$/.exec(under);
    if (!m?.[1] || !line.trim() || /^([=\-~^"'`#*+:.])\1+\s*$/.test(line) || under.trim().length < line.trim().length) continue;
    const over = /^([=\-~^"'`#*+:.])\1{2,}\s*$/.test(lines[i - 1] ?? '') ? 'o' : 'u';
    const style = `${m[1]}${over}`;
    if (!styles.includes(style)) styles.push(style);
    out.push({ title: cleanTitle(line), level: styles.indexOf(style) + 1, index: i, bodyIndex: i + 2 });
    i++;
  }
  return out;
}

function adocHeadings(lines: string[]): Heading[] {
  const out: Heading[] = [];
  lines.forEach((line, i) => {
    const m = /^(={1,6})\s+(.+)$/.exec(line);
    if (m?.[1]) out.push({ title: cleanTitle(m[2] ?? ''), level: m[1].length, index: i, bodyIndex: i + 1 });
  });
  return out;
}

function cleanTitle(title: string): string {
  return title
    .replace(/<[^>]+>/g, '')
    .replace(/[*_`]/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim();
}

/** Does the text give steps to follow: a list of two or more items, or commands in a code block? */
export function hasSteps(body: string): boolean {
  const items = body.match(/^\s*(?:\d+[.)]|[-*+]|#\.)\s+\S/gm)?.length ?? 0;
  return items >= 2 || /^ {0,3}(?:```|~~~)|^\.\. code(?:-block)?::|::\s*$|^\s*\$ \S|^----\s*$/m.test(body);
}

export function countWords(body: string): number {
  return body.split(/\s+/).filter((w) => /[A-Za-z]/.test(w)).length;
}
