import type { ReadinessRule } from './rule.js';
import { describeMatch, findDocs, quoteMatch } from './find-doc.js';

const LOOKED_FOR =
  'a runbook of this project (RUNBOOK.md, docs/runbook*.md, runbooks/, docs/operations.md, or a "Runbook"/"Operations"/"On-call" section in README or docs/) with commands or numbered steps';

// The people on call need something to follow. The standard does not make a missing runbook a
// BLOCKER (only rollback and destructive migrations are), so it is HIGH.
export const runbookRule: ReadinessRule = {
  id: 'runbook',
  title: 'Runbook for the service',
  area: 'deployment',
  impact:
    'Whoever is on call when the service misbehaves has no written procedure: how to check it, where the logs are, how to restart, scale or roll back. Incidents last as long as it takes someone to rediscover these from the code.',
  snippets: {
    default:
      '## Runbook\n\n### Check health\n1. `curl -fsS https://<host>/health`\n2. Logs: `docker compose logs --since 15m app`\n\n### Restart\n1. `docker compose restart app`\n\n### Alerts\n- High error rate: check the last deploy (`git log -1`), roll back (see Rollback).',
  },
  run(ctx) {
    const matches = findDocs(ctx.docs, {
      file: /(?:^|\/)[^/]*(?:run-?books?|playbooks?|on-?call)[^/]*(?:\/[^/]+)?\.\w+$|(?:^|\/)(?:operations|operating|ops-guide|ops)(?:[._-][^/]*)?\.\w+$/i,
      title: /\brun-?books?\b|\bplaybooks?\b|\bon-?call\b|\boperations?\s+(?:guide|manual|handbook)\b|^operat(?:ing|ions)\b(?!\s+systems?\b)|\bincident (?:response|handling)\b|\btroubleshoot(?:ing)?\b/i,
    });
    const best = matches[0];
    if (best?.steps) return { findings: [], passed: quoteMatch(best) };
    if (best) {
      return {
        findings: [
          {
            rule: this.id,
            title: 'Runbook has nothing to follow',
            severity: 'HIGH',
            location: best.location,
            effort: 'M',
            evidence: `${describeMatch(best)} has ${best.words} substantive word(s) and no command or numbered step (placeholders such as TODO/TBD do not count):\n${quote(best.section.body, best.section.file.rel, best.section.bodyLine)}`,
            recommendation: 'Fill in the runbook: how to check health, read logs, restart, scale, roll back, and what to do for each alert, with the commands.',
          },
        ],
      };
    }
    return {
      findings: [
        {
          rule: this.id,
          title: 'No runbook',
          severity: 'HIGH',
          location: `missing: ${LOOKED_FOR}`,
          effort: 'M',
          evidence: 'No document of this project (session logs, release notes, examples, vendored and test trees left out) is named or titled as a runbook, playbook, on-call or operations guide.',
          recommendation:
            'Write a runbook for the service: what it does and depends on, how to check its health, where its logs are, how to restart and roll back, and what to do for each alert.',
        },
      ],
    };
  },
};

/** The first lines of a section, quoted. */
export function quote(body: string, rel: string, firstLine: number, max = 4): string {
  const lines = body
    .split('\n')
    .map((text, i) => ({ text: text.trim(), line: firstLine + i }))
    .filter((l) => l.text);
  const shown = lines.slice(0, max).map((l) => `${rel}:${l.line}: ${l.text.length > 120 ? `${l.text.slice(0, 117)}…` : l.text}`);
  return shown.length > 0 ? shown.join('\n') : `${rel}:${firstLine}: (empty)`;
}
