// `safety-exception` in a comment turns off the findings of the statement or call on that line.
// A comment alone on the line directly above the statement counts as on it.
export const SAFETY_MARKER = /safety-exception/i;

export interface MarkerLine {
  line: number;
  /** The comment is alone on its line, so it speaks for the line below. */
  commentOnly: boolean;
}

/** Whether a marker covers a statement spanning lines `first`..`last`. */
export function isCovered(markers: readonly MarkerLine[], first: number, last: number): boolean {
  return markers.some((m) => (m.line >= first && m.line <= last) || (m.commentOnly && m.line === first - 1));
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
