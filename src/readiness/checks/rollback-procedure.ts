import type { ReadinessRule } from './rule.js';
import { describeMatch, findDocs } from './find-doc.js';

const LOOKED_FOR = 'a rollback procedure (ROLLBACK.md, docs/rollback*.md, or a "Rollback"/"Rolling back" section in README, the runbook, the deploy guide or docs/)';

// Without a way back, a bad release stays in production until someone works one out.
export const rollbackProcedureRule: ReadinessRule = {
  id: 'rollback-procedure',
  title: 'Rollback procedure',
  run(ctx) {
    const matches = findDocs(ctx.docs, {
      file: /(?:^|\/)[^/]*roll-?backs?[^/]*\.\w+$/i,
      title: /\broll(?:ing|ed)?[\s-]?backs?\b|\brevert(?:ing)?\b.*\b(?:deploy|release|version)|\bdowngrad(?:e|ing)\b/i,
      mentions: /deploy|release|version|previous|tag|image|migration|production/i,
    });
    const best = matches[0];
    if (best && (best.steps || best.words >= 25)) return { findings: [], passed: describeMatch(best) };
    const script = findRollbackScript(ctx);
    if (best) {
      return {
        findings: [
          {
            rule: this.id,
            title: 'Rollback procedure has no steps',
            severity: 'BLOCKER',
            location: best.location,
            effort: 'M',
            evidence: `${describeMatch(best)} has ${best.words} words and no steps to follow.`,
            recommendation: 'Write out how to return to the previous release: the command(s), how to roll back migrations, and how to verify the service afterwards.',
          },
        ],
      };
    }
    if (script) {
      return {
        findings: [
          {
            rule: this.id,
            title: 'Rollback script without a documented procedure',
            severity: 'HIGH',
            location: script,
            effort: 'S',
            evidence: `A rollback script exists (${script}) but no document says when and how to use it; missing: ${LOOKED_FOR}.`,
            recommendation: 'Document the rollback: when to roll back, the command (this script), migrations, and how to check the result.',
          },
        ],
      };
    }
    return {
      findings: [
        {
          rule: this.id,
          title: 'No rollback procedure',
          severity: 'BLOCKER',
          location: `missing: ${LOOKED_FOR}`,
          effort: 'M',
          evidence: 'No document or heading describes rolling back, reverting or downgrading a release.',
          recommendation:
            'Write a rollback procedure before deploying to production: how to redeploy the previous version, how to reverse migrations (or why they need not be), and how to verify.',
        },
      ],
    };
  },
};

function findRollbackScript(ctx: Parameters<ReadinessRule['run']>[0]): string | undefined {
  const script = ctx.files.files.find((f) => !f.test && /(?:^|\/)[^/]*roll-?back[^/]*\.(?:sh|py|js|mjs|ts)$/i.test(f.rel));
  if (script) return script.rel;
  const pkg = ctx.files.get('package.json');
  if (pkg) {
    const lines = ctx.files.text(pkg).split('\n');
    const index = lines.findIndex((l) => /^\s*"[\w:-]*rollback[\w:-]*"\s*:/.test(l));
    if (index >= 0) return `package.json:${index + 1}`;
  }
  const makefile = ctx.files.get('Makefile');
  if (makefile) {
    const index = ctx.files.text(makefile).split('\n').findIndex((l) => /^[\w-]*rollback[\w-]*\s*:/.test(l));
    if (index >= 0) return `Makefile:${index + 1}`;
  }
  return undefined;
}
