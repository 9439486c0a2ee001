import { lineAt, splitArguments } from '../source/lexed-source.js';
import { listEvidence, quoteLine, type ReadinessRule } from './rule.js';

// In-memory queues created without a bound.
const PYTHON_QUEUE = /(?<![\w.])(?:(asyncio|queue|multiprocessing|mp)\.)?(?:Queue|LifoQueue|PriorityQueue|JoinableQueue)\s*\(/g;
const IMPORTS_QUEUE = /^[ \t]*from[ \t]+(?:asyncio|queue|multiprocessing)[ \t]+import[ \t][^\n]*\b(?:Queue|LifoQueue|PriorityQueue|JoinableQueue)\b/m;

// A queue without a bound turns a slow consumer into an out-of-memory kill.
export const unboundedQueuesRule: ReadinessRule = {
  id: 'unbounded-queues',
  title: 'Bounded in-memory queues',
  area: 'resources',
  impact: 'An in-memory queue without a maximum size grows as long as producers outpace the consumer: under load the process takes all its memory and is killed, losing everything queued.',
  snippets: {
    python: 'queue: asyncio.Queue[Job] = asyncio.Queue(maxsize=1000)  # put() waits (back-pressure) when full',
    fastapi: 'queue: asyncio.Queue[Job] = asyncio.Queue(maxsize=1000)  # put() waits (back-pressure) when full',
    flask: 'jobs = queue.Queue(maxsize=1000)  # put() blocks when full; use put_nowait() and answer 503',
    django: 'jobs = queue.Queue(maxsize=1000)  # put() blocks when full; use put_nowait() and answer 503',
    default: "const queue = new PQueue({ concurrency: 4 });\nif (queue.size > 1000) return res.status(503).json({ error: 'busy' });",
  },
  run(ctx) {
    const sites: string[] = [];
    let queues = 0;
    for (const file of ctx.files.code({ language: 'python', toolConfig: false })) {
      const source = ctx.files.lexed(file);
      if (!/\bQueue\b/.test(source.code)) continue;
      const lines = source.text.split('\n');
      const imported = IMPORTS_QUEUE.test(source.code);
      for (const m of source.code.matchAll(PYTHON_QUEUE)) {
        if (!m[1] && !imported) continue;
        if (/\b(?:class|def)\s+\w*\s*$|\(\s*$/.test(source.code.slice(Math.max(0, m.index - 30), m.index)) && /\bclass\b/.test(source.code.slice(Math.max(0, m.index - 30), m.index))) continue;
        queues++;
        const args = splitArguments(source.code, m.index + m[0].length - 1);
        const bounded = args.some((a) => /^maxsize\s*=\s*(?!0\b)/.test(a.code)) || (args[0] !== undefined && !/=/.test(args[0].code) && !/^0$/.test(args[0].code));
        if (!bounded) {
          const line = lineAt(source, m.index);
          sites.push(quoteLine(file.rel, line, lines[line - 1] ?? ''));
        }
      }
    }
    if (sites.length === 0) return queues === 0 ? { findings: [], notApplicable: 'no in-memory queue found' } : { findings: [], passed: `${queues} in-memory queue(s), each with a maxsize` };
    return {
      findings: [
        {
          rule: this.id,
          title: `${sites.length} in-memory queue${sites.length === 1 ? '' : 's'} without a maximum size`,
          severity: 'MEDIUM',
          location: sites[0]?.split(': ')[0] ?? '',
          effort: 'S',
          evidence: listEvidence(sites),
          recommendation: 'Give every queue a maxsize and decide what happens when it is full: wait (back-pressure), drop with a log line, or answer 503.',
        },
      ],
    };
  },
};
