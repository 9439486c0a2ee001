// Templated SQL (`${schema}.orders`, psql's `:"tbl"` and `:name`, `{{ table }}`) is read with a name
// standing in for each placeholder, of the same length so every offset and line stays where it
// was; the rules then apply as to any other statement, and the findings name the placeholder.

export interface Placeholder {
  /** Offset in the text. */
  at: number;
  /** The placeholder as written: `${schema}`, `:"tbl"`, `{{ table }}`. */
  text: string;
  /** The keywords it was read as (`IF NOT EXISTS`), when not a name. */
  words?: string;
}

const TEMPLATE = /\$\{[^{}\n]*(?:\{[^{}\n]*\}[^{}\n]*)*\}|\{\{[^{}\n]*\}\}|:"[A-Za-z_][A-Za-z0-9_]*"|(?<![:\w]):[A-Za-z_][A-Za-z0-9_]*\b/g;

/** The text with each placeholder replaced by a same-length name, and the placeholders found; the text itself when it has none. */
export function standInPlaceholders(text: string): { text: string; placeholders: Placeholder[] } {
  if (!/\$\{|\{\{|:["A-Za-z_]/.test(text)) return { text, placeholders: [] };
  const placeholders: Placeholder[] = [];
  const replaced = text.replace(TEMPLATE, (match: string, at: number) => {
    // `::type` casts, `:=` and `a:b` slices are not placeholders; `:name` only where a name stands alone.
    if (match.startsWith(':') && !match.startsWith(':"') && (text[at - 1] === ':' || /\w/.test(text[at - 1] ?? ''))) return match;
    const standIn = standInName(match);
    const words = /^IF /.test(standIn) ? standIn.trim() : undefined;
    placeholders.push({ at, text: match, ...(words ? { words } : {}) });
    return standIn;
  });
  return { text: replaced, placeholders };
}

/**
 * `${schema}` -> `schema___` (a name made of the placeholder's own words, as long as it is).
 * A placeholder named for `IF NOT EXISTS` / `IF EXISTS` (`${ifNotExists}`, Knex projects write it
 * so) stands in as those words: read as a name it would hide the index or table name after it.
 */
function standInName(placeholder: string): string {
  const words = placeholder.replace(/[^A-Za-z]/g, '').toLowerCase();
  if (words === 'ifnotexists' && placeholder.length >= 13) return 'IF NOT EXISTS'.padEnd(placeholder.length, ' ');
  if (words === 'ifexists' && placeholder.length >= 9) return 'IF EXISTS'.padEnd(placeholder.length, ' ');
  let name = placeholder.replace(/[^A-Za-z0-9_]/g, '_').replace(/^_+/, '');
  if (!/^[A-Za-z]/.test(name)) name = `p${name}`;
  return name.slice(0, placeholder.length).padEnd(placeholder.length, '_');
}

/** What stood in for the placeholders between two offsets (a finding's note), or undefined when none is there. */
export function describeStandIns(placeholders: readonly Placeholder[], start: number, end: number): string | undefined {
  // Placeholders are in text order: find the first at or after `start` by halving (a large file has
  // hundreds of thousands, and this is asked per finding).
  let lo = 0;
  let hi = placeholders.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((placeholders[mid]?.at ?? Infinity) < start) lo = mid + 1;
    else hi = mid;
  }
  const within: Placeholder[] = [];
  for (let i = lo; i < placeholders.length && (placeholders[i]?.at ?? Infinity) < end; i++) within.push(placeholders[i] as Placeholder);
  if (within.length === 0) return undefined;
  const names = [...new Set(within.filter((p) => !p.words).map((p) => p.text))];
  const words = [...new Set(within.filter((p) => p.words).map((p) => `${p.words ?? ''} standing in for ${p.text}`))];
  return `read with ${[...(names.length > 0 ? [`a name standing in for ${names.join(', ')}`] : []), ...words].join('; with ')}`;
}
