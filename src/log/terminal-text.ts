// The one output sanitiser: agent and task text is shown, never obeyed. Every byte the CLI writes
// to stdout or stderr passes `neutraliseControls` (cli/terminal-guard.ts installs it on both):
// plain SGR colour codes stay; every other escape sequence (cursor moves, screen clears, OSC of
// any kind — 52 clipboard writes, 8 links, titles — DCS, APC), C0 and C1 controls, DEL, a stray
// ESC, a CR that is not part of a line end, and bidi overrides appear as visible `\uXXXX` text.

// SGR only: ESC [ digits and semicolons m. Anything else after ESC is not kept.
const SGR = /^\x1b\[[0-9;]{0,32}m/;
const CONTROL = /[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const EVERY_CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const visible = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Text safe to write to a terminal: SGR colour kept, '\n', '\t' and '\r\n' kept, every other control shown as `\uXXXX`. */
export function neutraliseControls(text: string): string {
  if (!hasControls(text)) return text;
  return text.replace(CONTROL, (c, at: number) => {
    if (c === '\x1b' && SGR.test(text.slice(at, at + 40))) return c;
    if (c === '\r' && text[at + 1] === '\n') return c;
    return visible(c);
  });
}

/** Every control shown as `\uXXXX`, colour too: for boxes whose width is counted. */
export function escapeAllControls(text: string): string {
  return text.replace(EVERY_CONTROL, visible);
}

const ANY = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
export function hasControls(text: string): boolean {
  return ANY.test(text);
}
