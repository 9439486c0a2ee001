import { isProjectDocument } from './doc-substance.js';
import type { ProjectFile, ProjectFiles } from './project-files.js';

/** A heading of a document and the text under it (its subsections included). */
export interface DocSection {
  file: ProjectFile;
  title: string;
  /** 1 for a top heading; 0 for the whole file (title: the file name). */
  level: number;
  /** 1-based line of the heading. */
  line: number;
  /** 1-based line of the body's first line. */
  bodyLine: number;
  body: string;
}

/**
 * Sections of the project's own documents (Markdown, reStructuredText, AsciiDoc, text): release
 * notes, session logs, examples, vendored and test trees talk about other things or other times.
 */
export function parseDocs(files: ProjectFiles): DocSection[] {
  const sections: DocSection[] = [];
  for (const file of files.docs()) {
    if (file.test || !isProjectDocument(file.rel)) continue;
    const base = file.rel.slice(file.rel.lastIndexOf('/') + 1);
    const text = files.text(file);
    sections.push({ file, title: base, level: 0, line: 1, bodyLine: 1, body: text });
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
    return { file, title: h.title, level: h.level, line: h.index + 1, bodyLine: h.bodyIndex + 1, body: lines.slice(h.bodyIndex, end).join('\n') };
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
