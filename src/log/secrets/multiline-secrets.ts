// Secrets that span lines and are not PEM blocks, found by their context (a rule set works line by
// line and misses them):
// - a name that says secret with its value on the next line: `password:` / `"client_secret":` /
//   `TOKEN=\` then the value alone on the following line;
// - a YAML block scalar under such a name (`private_key: |` and the indented lines below it);
// - a wrapped base64 block (`base64` output at 64/76 columns: key files, kube secrets), two or more
//   lines of base64 alone, each with upper case, lower case and digits (lists of hex hashes are not).

const REDACTED = '[REDACTED]';
const NAME = String.raw`[\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|accountkey|sharedaccesskey|credentials?|service[_-]?account)[\w.-]*`;
/** A line that ends right after `name:` / `name =` (a YAML block indicator or a `\` allowed): its value comes next. */
const DANGLING = new RegExp(String.raw`(?:^|[\s"'{,])${NAME}["']?\s*[:=]\s*(?:([|>])[-+]?|\\)?\s*$`, 'i');
/** A value alone on its line: one token, quoted or not, a comma after it allowed. */
const BARE_VALUE = /^(\s*)(["']?)([^\s"']{4,})\2(,?)\s*$/;
const BASE64_LINE = /^\s*["']?[A-Za-z0-9+/]{40,}={0,2}["']?,?\s*$/;
const QUICK = /[:=][ \t]*(?:[|>][-+]?|\\)?[ \t]*\r?$|^\s*["']?[A-Za-z0-9+/]{40,}/m;

const isBase64Line = (line: string): boolean => BASE64_LINE.test(line) && /[A-Z]/.test(line) && /[a-z]/.test(line) && /[0-9]/.test(line);
const indentOf = (line: string): number => /^\s*/.exec(line)![0].length;

/** The text (whole lines) with the multi-line secrets above replaced by [REDACTED]. */
export function redactMultiline(text: string): string {
  if (!text.includes('\n') || !QUICK.test(text)) return text;
  const lines = text.split('\n');
  let changed = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const dangling = DANGLING.exec(line);
    if (dangling) {
      if (dangling[1]) {
        // a block scalar: every line indented below the name, blank lines within
        const base = indentOf(line);
        let j = i + 1;
        while (j < lines.length && (lines[j]!.trim() === '' || indentOf(lines[j]!) > base)) {
          if (lines[j]!.trim() !== '') {
            lines[j] = `${' '.repeat(indentOf(lines[j]!))}${REDACTED}`;
            changed = true;
          }
          j++;
        }
        i = j - 1;
        continue;
      }
      let j = i + 1;
      while (j < lines.length && lines[j]!.trim() === '') j++;
      const value = j < lines.length ? BARE_VALUE.exec(lines[j]!) : null;
      if (value && value[3] !== REDACTED) {
        lines[j] = `${value[1]}${value[2]}${REDACTED}${value[2]}${value[4]}`;
        changed = true;
        i = j;
      }
      continue;
    }
    if (isBase64Line(line) && i + 1 < lines.length && isBase64Line(lines[i + 1]!)) {
      let j = i;
      while (j < lines.length && isBase64Line(lines[j]!)) {
        lines[j] = `${' '.repeat(indentOf(lines[j]!))}${REDACTED}`;
        j++;
      }
      changed = true;
      i = j - 1;
    }
  }
  return changed ? lines.join('\n') : text;
}

/**
 * For a stream of whole lines: where the lines that must wait for the next ones begin (a dangling
 * name, an open block scalar, a base64 block that may go on), or `text.length` when nothing waits.
 */
export function holdBackFrom(text: string): number {
  if (!QUICK.test(text)) return text.length;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const starts: number[] = [];
  let at = 0;
  for (const l of lines) {
    starts.push(at);
    at += l.length + 1;
  }
  // the trailing blank and base64 lines
  let i = lines.length;
  while (i > 0 && (lines[i - 1]!.trim() === '' || isBase64Line(lines[i - 1]!))) i--;
  // a name whose value has not come yet, or a block scalar still open, within the last lines
  for (let d = lines.length - 1; d >= Math.max(0, lines.length - 200); d--) {
    const dangling = DANGLING.exec(lines[d]!);
    if (!dangling) {
      if (lines[d]!.trim() !== '' && indentOf(lines[d]!) === 0 && d < i) break;
      continue;
    }
    const after = lines.slice(d + 1);
    const open = dangling[1] ? after.every((l) => l.trim() === '' || indentOf(l) > indentOf(lines[d]!)) : after.every((l) => l.trim() === '');
    if (open) return starts[d]!;
    break;
  }
  return i < lines.length && lines.slice(i).some(isBase64Line) ? starts[i]! : text.length;
}
