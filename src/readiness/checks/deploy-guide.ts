import type { ReadinessRule } from './rule.js';
import { describeMatch, findDocs } from './find-doc.js';

const REQUIREMENTS =
  /\b(?:require(?:s|d|ments?)?|prerequisites?|pre-requisites?|depend(?:s|encies)|needs?|environment variables?|env vars?|configur(?:e|ation)|before (?:you )?(?:begin|start|deploy))\b|\.env\b/i;
const REQUIREMENTS_TITLE = /\b(?:requirements|prerequisites|configuration|environment variables|setup)\b/i;

// A deploy guide: how to ship it (steps) and what it needs (requirements).
export const deployGuideRule: ReadinessRule = {
  id: 'deploy-docs',
  title: 'Deployment documentation',
  run(ctx) {
    const matches = findDocs(ctx.docs, {
      file: /(?:^|\/)(?:deploy(?:ing|ment)?s?|release-process|releasing|going-live|production)(?:[._-][^/]*)?\.\w+$|(?:^|\/)deploy(?:ment)?s?\/[^/]+\.\w+$/i,
      title:
        /\bdeploy(?:ing|ment|ments)?\b|\brelease process\b|\breleasing\b|\bgo(?:ing)? live\b|\bin production\b|^production\b|\bproduction (?:setup|install(?:ation)?|build|environment)\b/i,
      exclude: /\broll(?:ing)?[\s-]?back\b|\bundeploy/i,
    });
    const best = matches[0];
    if (!best) {
      return {
        findings: [
          {
            rule: this.id,
            title: 'No deployment guide',
            severity: 'HIGH',
            location: 'missing: a deployment guide (DEPLOY.md, DEPLOYMENT.md, docs/deploy*.md, or a "Deploy"/"Deployment" section in README or docs/)',
            effort: 'M',
            evidence: 'No document is named for deployment and no heading mentions deploying, releasing or going live.',
            recommendation:
              'Write a deployment guide: the requirements (runtime, services, environment variables, access) and the steps to deploy, as commands someone can follow.',
          },
        ],
      };
    }
    const sameFile = ctx.docs.filter((s) => s.file === best.section.file);
    const requirements = REQUIREMENTS.test(best.section.body) || sameFile.some((s) => s.level > 0 && REQUIREMENTS_TITLE.test(s.title));
    const gaps = [...(best.steps ? [] : ['no steps (a numbered list or commands)']), ...(requirements ? [] : ['no requirements (prerequisites, configuration, environment variables)'])];
    if (gaps.length === 0) return { findings: [], passed: describeMatch(best) };
    return {
      findings: [
        {
          rule: this.id,
          title: 'Deployment guide is incomplete',
          severity: 'MEDIUM',
          location: best.location,
          effort: 'S',
          evidence: `${describeMatch(best)} (${best.words} words) has ${gaps.join(' and ')}.`,
          recommendation: 'Complete the deployment guide so that someone new can deploy from it: list what is required first, then the steps in order.',
        },
      ],
    };
  },
};
