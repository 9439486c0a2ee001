/** One failing test: its name and the first lines of why. */
export interface FailingTest {
  name: string;
  detail: string;
}

/** What a test run printed, read: counts where the runner says them, the failing tests by name. */
export interface TestReport {
  format: 'tap' | 'junit' | 'vitest' | 'jest' | 'pytest' | null;
  passed: number | null;
  failed: number | null;
  failures: FailingTest[];
}

const DETAIL_LINES = 3;
// pytest's last line: "=== 1 failed, 2 passed in 0.12s ===" (or without the rules, with -q).
const PYTEST_SUMMARY = /^(?:=+ )?((?:\d+ (?:passed|failed|errors?|skipped|xfailed|xpassed|warnings?|deselected)(?:, )?)+) in [\d.]+s\b/m;
const DETAIL_CHARS = 300;

/**
 * Reads the output of a test runner (TAP — node --test, tap, bats —, JUnit XML, vitest, jest,
 * pytest) into counts and failing tests; `format: null` when it is none of them.
 */
export function readTestOutput(text: string): TestReport {
  const clean = text.replace(/\x1b\[[0-9;]*m/g, '');
  if (/<testsuites?\b|<testcase\b/.test(clean)) return readJunit(clean);
  if (/^\s*(?:TAP version \d+|(?:not )?ok \d+\b)/m.test(clean)) return readTap(clean);
  if (/^\s*Tests\s+(?:\d+ (?:failed|passed|skipped|todo)\s*\|?\s*)+\(\d+\)/m.test(clean) || /^\s*(?:FAIL|✓|×)\s+\S+.*>/m.test(clean)) return readVitest(clean);
  if (/^Tests:\s+.*\d+ total/m.test(clean)) return readJest(clean);
  if (PYTEST_SUMMARY.test(clean) || /^(?:FAILED|ERROR) \S+::/m.test(clean)) return readPytest(clean);
  return { format: null, passed: null, failed: null, failures: [] };
}

function readTap(text: string): TestReport {
  const lines = text.split('\n');
  const failures: FailingTest[] = [];
  let passed = 0;
  let failed = 0;
  let depth = Infinity;
  const results: { indent: number; ok: boolean; name: string; detail: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(not ok|ok)\b\s*\d*\s*(?:-\s*)?(.*?)\s*(#\s*(?:SKIP|TODO)\b.*)?$/i.exec(lines[i] ?? '');
    if (!m) continue;
    const indent = m[1]?.length ?? 0;
    const ok = m[2]?.toLowerCase() === 'ok' || m[4] !== undefined;
    depth = Math.min(depth, indent);
    results.push({ indent, ok, name: m[3] ?? '', detail: ok ? '' : tapDiagnostic(lines, i + 1) });
  }
  // node --test counts its leaves in `# pass N` / `# fail N`; else the outermost results count.
  const pass = /^# pass (\d+)$/m.exec(text);
  const fail = /^# fail (\d+)$/m.exec(text);
  for (const r of results) {
    if (r.indent === depth) r.ok ? passed++ : failed++;
    // A suite that failed because its subtests did names nothing new: its failing subtests are listed.
    if (!r.ok && !/^\d+ subtests? failed$/.test(r.detail)) failures.push({ name: r.name, detail: r.detail });
  }
  return { format: 'tap', passed: pass ? Number(pass[1]) : passed, failed: fail ? Number(fail[1]) : failed, failures };
}

// The YAML block after a `not ok` line: its error / message, first lines.
function tapDiagnostic(lines: string[], from: number): string {
  if (!/^\s*---\s*$/.test(lines[from] ?? '')) return '';
  const out: string[] = [];
  for (let i = from + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^\s*\.\.\.\s*$/.test(line)) break;
    const m = /^\s*(error|message|found|wanted|expected|actual):\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = (m[2] ?? '').trim();
    if (value === '|-' || value === '|' || value === '>-' || value === '>') {
      const own = line.length - line.trimStart().length;
      const block: string[] = [];
      for (let j = i + 1; j < lines.length && block.length < DETAIL_LINES; j++) {
        const next = lines[j] ?? '';
        if (next.trim() !== '' && next.length - next.trimStart().length <= own) break;
        if (next.trim() !== '') block.push(next.trim());
      }
      value = block.join(' ');
    }
    out.push(m[1] === 'error' || m[1] === 'message' ? unquote(value) : `${m[1]}: ${unquote(value)}`);
    if (out.length >= DETAIL_LINES) break;
  }
  return cut(out.join('\n'));
}

function readJunit(text: string): TestReport {
  const failures: FailingTest[] = [];
  let total = 0;
  for (const m of text.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    total++;
    const attrs = m[1] ?? '';
    const body = m[3] ?? '';
    const failure = /<(failure|error)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body);
    if (!failure) continue;
    const name = [attr(attrs, 'classname'), attr(attrs, 'name')].filter(Boolean).join(' › ');
    const message = attr(failure[2] ?? '', 'message') ?? (failure[3] ?? '').replace(/<!\[CDATA\[|\]\]>/g, '').trim();
    failures.push({ name, detail: cut(xmlText(message)) });
  }
  const skipped = [...text.matchAll(/<testcase\b[^>]*>\s*<skipped/g)].length;
  return { format: 'junit', passed: total - failures.length - skipped, failed: failures.length, failures };
}

function readVitest(text: string): TestReport {
  const failures: FailingTest[] = [];
  const lines = text.split('\n');
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*FAIL\s+(.+?)\s*$/.exec(lines[i] ?? '');
    if (!m?.[1] || !m[1].includes('>') || seen.has(m[1])) continue;
    seen.add(m[1]);
    failures.push({ name: m[1].replace(/\s+>\s+/g, ' › '), detail: firstLinesAfter(lines, i + 1) });
  }
  if (failures.length === 0) {
    for (let i = 0; i < lines.length; i++) {
      const m = /^\s*[×✗]\s+(.+?)(?:\s+\d+ms)?\s*$/.exec(lines[i] ?? '');
      if (m?.[1]) failures.push({ name: m[1], detail: (/^\s*→\s*(.*)$/.exec(lines[i + 1] ?? '')?.[1] ?? '').trim() });
    }
  }
  const tests = /^\s*Tests\s+(.*)\(\d+\)/m.exec(text)?.[1] ?? '';
  return { format: 'vitest', passed: count(tests, 'passed'), failed: count(tests, 'failed') ?? failures.length, failures };
}

function readJest(text: string): TestReport {
  const failures: FailingTest[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*●\s+(.+?)\s*$/.exec(lines[i] ?? '');
    if (m?.[1] && !/^Test suite failed to run/.test(m[1])) failures.push({ name: m[1], detail: firstLinesAfter(lines, i + 1) });
  }
  const tests = /^Tests:\s+(.*)$/m.exec(text)?.[1] ?? '';
  return { format: 'jest', passed: count(tests, 'passed'), failed: count(tests, 'failed') ?? failures.length, failures };
}

function readPytest(text: string): TestReport {
  const failures: FailingTest[] = [];
  for (const m of text.matchAll(/^(?:FAILED|ERROR) (\S+?)(?: - (.*))?$/gm)) failures.push({ name: (m[1] ?? '').replace(/::/g, ' › '), detail: cut(m[2] ?? '') });
  const summary = [...text.matchAll(new RegExp(PYTEST_SUMMARY.source, 'gm'))].at(-1)?.[1] ?? '';
  const failed = (count(summary, 'failed') ?? 0) + (count(summary, 'errors?') ?? 0);
  return { format: 'pytest', passed: count(summary, 'passed') ?? 0, failed: summary ? failed : failures.length, failures };
}

function firstLinesAfter(lines: string[], from: number): string {
  const out: string[] = [];
  for (let i = from; i < lines.length && out.length < DETAIL_LINES; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '' || /^[-─⎯]+/.test(line)) {
      if (out.length > 0) break;
      continue;
    }
    if (/^\s*(?:FAIL|●)\s/.test(line)) break;
    out.push(line);
  }
  return cut(out.join('\n'));
}

function count(summary: string, word: string): number | null {
  const m = new RegExp(`(\\d+) ${word}\\b`).exec(summary);
  return m ? Number(m[1]) : null;
}

const attr = (attrs: string, name: string): string | null => {
  const m = new RegExp(`\\b${name}="([^"]*)"`).exec(attrs);
  return m?.[1] !== undefined ? xmlText(m[1]) : null;
};
const xmlText = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#10;/g, '\n').replace(/&amp;/g, '&');
const unquote = (s: string): string => s.replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
const cut = (s: string): string =>
  s
    .split('\n')
    .slice(0, DETAIL_LINES)
    .map((l) => (l.length > DETAIL_CHARS ? `${l.slice(0, DETAIL_CHARS - 1)}…` : l))
    .join('\n');
