import type { ProjectFile } from '../project-files.js';
import type { ReviewContext } from '../review-context.js';
import { findClosing, lineAt, splitArguments, type ArgumentSpan, type LexedSource } from '../source/lexed-source.js';
import { listEvidence, type ReadinessRule } from './rule.js';

/** An outgoing call that can wait forever. */
interface Site {
  location: string;
  call: string;
}

// An outgoing call without a timeout holds a request (and a worker) for as long as the other side hangs.
export const httpTimeoutsRule: ReadinessRule = {
  id: 'http-timeouts',
  title: 'Timeouts on outgoing HTTP calls',
  area: 'error-handling',
  impact:
    'An outgoing call without a timeout waits as long as the other side hangs: one slow dependency ties up every worker and the service stops answering.',
  run(ctx) {
    const axiosDefault = hasAxiosDefaultTimeout(ctx);
    const sites: Site[] = [];
    let calls = 0;
    const importsByFile = new Map<ProjectFile, Set<string>>();
    for (const site of ctx.imports) {
      const set = importsByFile.get(site.file) ?? new Set<string>();
      set.add(site.module);
      importsByFile.set(site.file, set);
    }
    for (const file of ctx.files.code({ toolConfig: false })) {
      if (file.clientSide) continue;
      const source = ctx.files.lexed(file);
      if (file.language === 'javascript' && /^\s*(['"])use client\1/.test(source.text)) continue;
      const modules = importsByFile.get(file) ?? new Set<string>();
      const found = file.language === 'python' ? scanPython(file, source) : scanJavaScript(file, source, modules, axiosDefault);
      calls += found.calls;
      sites.push(...found.sites);
    }
    sites.sort((a, b) => a.location.localeCompare(b.location, 'en', { numeric: true }));
    if (sites.length === 0) {
      return { findings: [], passed: calls === 0 ? 'no outgoing HTTP calls found' : `${calls} outgoing call(s), each with a timeout (its own, a client's or the library's default) or options passed in` };
    }
    return {
      findings: [
        {
          rule: this.id,
          title: `${sites.length} outgoing HTTP call${sites.length === 1 ? '' : 's'} without a timeout`,
          severity: 'HIGH',
          location: sites[0]?.location ?? '',
          effort: sites.length > 5 ? 'M' : 'S',
          evidence: listEvidence(sites.map((s) => `${s.location}: ${s.call}`)),
          recommendation:
            'Give every outgoing call a timeout (fetch: signal: AbortSignal.timeout(ms); axios: timeout or an instance made with axios.create({ timeout }); requests: timeout=(connect, read)), ideally through one shared client.',
        },
      ],
    };
  },
};

const FETCH = /(?<![\w$.])(?:(?:globalThis|window|self)\.)?fetch\s*\(/g;
const AXIOS = /(?<![\w$.])axios(?:\.(get|delete|head|options|post|put|patch|request))?\s*\(/g;
const NODE_HTTP = /(?<![\w$.])https?\.(?:request|get)\s*\(/g;
const GOT = /(?<![\w$.])got(?:\.(get|delete|head|options|post|put|patch))?\s*\(/g;
const TIMEOUT_KEY = /\b(?:signal|timeout|cancelToken)\b/;

function scanJavaScript(file: ProjectFile, source: LexedSource, modules: Set<string>, axiosDefault: boolean): { sites: Site[]; calls: number } {
  const sites: Site[] = [];
  let calls = 0;
  const { code } = source;
  const check = (m: RegExpMatchArray, optionsIndex: number, label: string): void => {
    const open = (m.index ?? 0) + m[0].length - 1;
    if (isDefinition(code, open)) return;
    calls++;
    const args = splitArguments(code, open);
    if (lacksTimeout(args, optionsIndex)) sites.push({ location: `${file.rel}:${lineAt(source, m.index ?? 0)}`, call: label });
  };
  for (const m of code.matchAll(FETCH)) {
    const args = splitArguments(code, (m.index ?? 0) + m[0].length - 1);
    if (args.length === 1 && /^(?:new\s+Request\b|\w*[Rr]eq(?:uest)?$)/.test(args[0]?.code ?? '')) continue;
    check(m, 1, 'fetch() with no signal');
  }
  if (!axiosDefault && modules.has('axios')) {
    for (const m of code.matchAll(AXIOS)) {
      const method = m[1];
      const index = !method || method === 'request' ? (splitArguments(code, (m.index ?? 0) + m[0].length - 1).length > 1 ? 1 : 0) : /post|put|patch/.test(method) ? 2 : 1;
      check(m, index, `axios${method ? `.${method}` : ''}() with no timeout`);
    }
  }
  const nodeHttp = (modules.has('http') || modules.has('https')) && !/\.setTimeout\s*\(|\.on\s*\(\s*['"]timeout/.test(source.text);
  for (const m of nodeHttp ? code.matchAll(NODE_HTTP) : []) {
    const args = splitArguments(code, (m.index ?? 0) + m[0].length - 1);
    check(m, args.length > 1 && args[1]?.code.startsWith('{') ? 1 : 0, `${m[0].replace(/\s*\($/, '')}() with no timeout`);
  }
  if (modules.has('got')) {
    for (const m of code.matchAll(GOT)) check(m, 1, `got${m[1] ? `.${m[1]}` : ''}() with no timeout`);
  }
  return { sites, calls };
}

/** No options at `index`, or an options object literal that sets no timeout or signal and spreads nothing in. */
function lacksTimeout(args: ArgumentSpan[], index: number): boolean {
  const options = args[index];
  if (!options) return !args.some((a) => a.code.startsWith('...'));
  if (!options.code.startsWith('{')) return false;
  return !TIMEOUT_KEY.test(options.code) && !options.code.includes('...');
}

/** `function fetch(…) {`, `fetch(url) {` in a class: a definition, not a call. */
function isDefinition(code: string, open: number): boolean {
  const before = code.slice(Math.max(0, open - 30), open);
  if (/\bfunction\s*\*?\s*\w*\s*$/.test(before)) return true;
  const close = findClosing(code, open);
  return /^\s*(?::\s*[^;{=]+)?\{/.test(code.slice(close, close + 80)) && !/[=(,:?]\s*(?:await\s+)?[\w$.]*\s*$/.test(before);
}

const REQUESTS = /(?<![\w.])requests\.(get|post|put|patch|delete|head|options|request)\s*\(/g;
const HTTPX = /(?<![\w.])httpx\.(?:get|post|put|patch|delete|head|options|request|stream|Client|AsyncClient)\s*\(/g;
const URLOPEN = /(?<![\w])(?:urllib\.request\.)?urlopen\s*\(/g;
const HTTP_CLIENT = /(?<![\w])(?:http\.client\.)?HTTPS?Connection\s*\(/g;

function scanPython(file: ProjectFile, source: LexedSource): { sites: Site[]; calls: number } {
  const sites: Site[] = [];
  let calls = 0;
  const { code } = source;
  const site = (index: number, call: string): void => {
    sites.push({ location: `${file.rel}:${lineAt(source, index)}`, call });
  };
  const kwargs = (m: RegExpMatchArray): ArgumentSpan[] => splitArguments(code, (m.index ?? 0) + m[0].length - 1);
  for (const m of code.matchAll(REQUESTS)) {
    calls++;
    const args = kwargs(m);
    const timeout = args.find((a) => /^timeout\s*=/.test(a.code));
    if (timeout ? /^timeout\s*=\s*None$/.test(timeout.code) : !args.some((a) => a.code.startsWith('**'))) {
      site(m.index ?? 0, `requests.${m[1]}() with ${timeout ? 'timeout=None' : 'no timeout'}`);
    }
  }
  for (const m of code.matchAll(HTTPX)) {
    calls++;
    if (kwargs(m).some((a) => /^timeout\s*=\s*None$/.test(a.code))) site(m.index ?? 0, `${m[0].replace(/\s*\($/, '')}() with timeout=None`);
  }
  const urllib = /\burllib\.request\b|^[ \t]*from[ \t]+urllib\.request[ \t]+import\b/m.test(code);
  for (const m of urllib ? code.matchAll(URLOPEN) : []) {
    calls++;
    const args = kwargs(m);
    if (args.length < 3 && !args.some((a) => /^timeout\s*=|^\*\*/.test(a.code))) site(m.index ?? 0, 'urlopen() with no timeout');
  }
  for (const m of /\bhttp\.client\b/.test(code) ? code.matchAll(HTTP_CLIENT) : []) {
    calls++;
    const args = kwargs(m);
    if (args.length < 3 && !args.some((a) => /^timeout\s*=|^\*\*/.test(a.code))) site(m.index ?? 0, `${m[0].replace(/\s*\($/, '')}() with no timeout`);
  }
  return { sites, calls };
}

/** `axios.defaults.timeout = …` anywhere: every plain axios call has a timeout. */
function hasAxiosDefaultTimeout(ctx: ReviewContext): boolean {
  return ctx.files.code({ toolConfig: false, language: 'javascript' }).some((f) => /\baxios\.defaults\.timeout\s*=/.test(ctx.files.lexed(f).code));
}
