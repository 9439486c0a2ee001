import type { ReadinessRule } from './rule.js';
import { describeMatch, findDocs } from './find-doc.js';

const LOOKED_FOR =
  'a runbook (RUNBOOK.md, docs/runbook*.md, runbooks/, docs/operations.md, or a "Runbook"/"Operations guide"/"On-call" section in README or docs/)';

// Runbook first: the people on call need something to follow before production is theirs.
export const runbookRule: ReadinessRule = {
  id: 'runbook',
  title: 'Runbook for the service',
  run(ctx) {
    const severity = ctx.input.environment === 'production' ? 'BLOCKER' : 'HIGH';
    const matches = findDocs(ctx.docs, {
      file: /(?:^|\/)[^/]*(?:run-?books?|playbooks?|on-?call)[^/]*(?:\/[^/]+)?\.\w+$|(?:^|\/)(?:operations|operating|ops-guide|ops)(?:[._-][^/]*)?\.\w+$/i,
      title: /\brun-?books?\b|\bplaybooks?\b|\bon-?call\b|\boperations?\s+(?:guide|manual|handbook)\b|^operat(?:ing|ions)\b(?!\s+systems?\b)|\bincident (?:response|handling)\b/i,
    });
    const best = matches[0];
    if (best && (best.steps || best.words >= 40)) return { findings: [], passed: describeMatch(best) };
    const why = severity === 'BLOCKER' ? ' Runbook first: no production deployment without a runbook to follow.' : '';
    if (best) {
      return {
        findings: [
          {
            rule: this.id,
            title: 'Runbook is too thin to follow',
            severity,
            location: best.location,
            effort: 'M',
            evidence: `${describeMatch(best)} has ${best.words} words and no steps.${why}`,
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
          severity,
          location: `missing: ${LOOKED_FOR}`,
          effort: 'M',
          evidence: `No document is named or titled as a runbook, playbook, on-call or operations guide.${why}`,
          recommendation:
            'Write a runbook for the service: what it does and depends on, how to check its health, where its logs are, how to restart and roll back, and what to do for each alert.',
        },
      ],
    };
  },
};
