import { findUnboundedQueues } from '../source/syntax-queries.js';
import { listEvidence, quoteLine, type ReadinessRule } from './rule.js';

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
  async run(ctx) {
    const sites: string[] = [];
    let queues = 0;
    for (const file of ctx.files.code({ language: 'python', toolConfig: false })) {
      const text = ctx.files.text(file);
      const lines = text.split('\n');
      for (const q of await findUnboundedQueues(text)) {
        queues++;
        if (!q.bounded) sites.push(quoteLine(file.rel, q.line, lines[q.line - 1] ?? ''));
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
