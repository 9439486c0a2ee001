import { escapeAllControls } from '../log/terminal-text.js';
import { redactSecrets } from '../log/redact-secrets.js';

/** Markup made by `html` (or trusted by `raw`): inserted as is; everything else is escaped. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export const raw = (text: string): Html => new Html(text);

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text of a task, an agent or a person shown in a page: every terminal control (escape sequences,
 * C0/C1, bidi overrides) made visible as `\uXXXX`, then HTML-escaped.
 */
export function escapeText(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return escapeAllControls(text).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Output of an agent or a log, shown with its secrets redacted (as every record is) and escaped. */
export function outputText(value: string | null | undefined): Html {
  const lines = redactSecrets(value ?? '').split('\n');
  return new Html(lines.map((l) => escapeText(l.replace(/\r$/, '').replace(/\t/g, '    '))).join('\n'));
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return (part as readonly Part[]).map(render).join('');
  return escapeText(part);
}

/** A template whose every value is escaped unless it is `Html` itself: the only way pages are made. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}
