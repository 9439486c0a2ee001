// `safety-exception` in a comment turns off a finding of the one statement or call it sits on (or,
// alone on its line, of the statement right below it). It may name the rule it is for and should
// say why: `-- safety-exception: drop-table archived in TICKET-42`. A marker naming a rule turns off
// only that rule's findings; the reason travels with each suppressed finding into the report.
export const SAFETY_MARKER = /safety-exception/i;

export interface MarkerLine {
  line: number;
  /** The comment is alone on its line, so it speaks for the line below. */
  commentOnly: boolean;
  /** Where the marker is in the text (SQL): it belongs to the statement it follows on its line. */
  offset?: number;
  /** What the comment says after `safety-exception`. */
  note: string;
}

/** The statement or call a finding is about: its lines, and (SQL) where it and the next one start. */
export interface CoveredSpan {
  first: number;
  last: number;
  start?: number;
  nextStart?: number;
  /** Where the statement before this one starts: a marker above covers only the first statement below it. */
  previousStart?: number;
}

/** The words after `safety-exception` in a comment's text. */
export function readMarkerNote(comment: string): string {
  const at = comment.search(SAFETY_MARKER);
  if (at < 0) return '';
  return comment
    .slice(at + 'safety-exception'.length)
    .replace(/(\*\/|-->)\s*$/, '')
    .replace(/^[\s:.,;-]+/, '')
    .trim();
}

/**
 * The exception that covers a finding of `rule` on `span`, or undefined. `isRule` tells whether a
 * word names a rule (then the marker is for that rule only).
 */
export function findException(markers: readonly MarkerLine[], span: CoveredSpan, rule: string, isRule: (word: string) => boolean): { reason: string } | undefined {
  for (const m of markers) {
    const onIt = m.line >= span.first && m.line <= span.last;
    const above = m.commentOnly && m.line === span.first - 1;
    if (!onIt && !above) continue;
    if (onIt && m.offset !== undefined && span.start !== undefined && !m.commentOnly) {
      // A trailing comment belongs to the last statement that starts before it.
      if (m.offset < span.start || (span.nextStart !== undefined && m.offset > span.nextStart)) continue;
    }
    if (above && m.offset !== undefined && span.previousStart !== undefined && span.previousStart > m.offset) continue;
    const [word = '', ...rest] = m.note.split(/\s+/);
    const named = word.replace(/[:.,;]$/, '');
    if (named && isRule(named)) {
      if (named !== rule) continue;
      return { reason: rest.join(' ').replace(/^[\s:.,;-]+/, '') || '(no reason given)' };
    }
    return { reason: m.note || '(no reason given)' };
  }
  return undefined;
}

/** Whether only whitespace surrounds text[start, end) on its line(s). */
export function isAloneOnLine(text: string, start: number, end: number): boolean {
  for (let i = start - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 10) break;
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  for (let i = end; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) break;
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** One line, at most `max` characters: how a statement or call is shown in a report. */
export function shortenStatement(code: string, max = 200): string {
  const flat = code.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
