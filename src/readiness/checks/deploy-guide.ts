import type { ReadinessRule } from './rule.js';
import { describeMatch, findDocs, quoteMatch } from './find-doc.js';
import { quote } from './runbook.js';

const REQUIREMENTS =
  /\b(?:require(?:s|d|ments?)?|prerequisites?|pre-requisites?|depend(?:s|encies)|needs?|environment variables?|env vars?|configur(?:e|ation)|before (?:you )?(?:begin|start|deploy))\b|\.env\b/i;
const REQUIREMENTS_TITLE = /\b(?:requirements|prerequisites|configuration|environment variables|setup)\b/i;

// A command that ships a release: images, orchestrators, platforms, infrastructure tools, copies to a host.
const SHIPS =
  /\b(?:docker|podman|kubectl|helm|kustomize|fly|flyctl|heroku|git\s+(?:push|pull|checkout|clone)|terraform|tofu|ansible(?:-playbook)?|kamal|vercel|netlify|serverless|sls|cdk|pulumi|cap|rsync|scp|gcloud|aws|az|make\s+\S*deploy|(?:npm|yarn|pnpm)\s+(?:run\s+)?\S*(?:deploy|release|build)|autonomous-loop|systemctl|supervisorctl|pm2)\b/i;

// A deploy guide: how to ship it (steps) and what it needs (requirements).
export const deployGuideRule: ReadinessRule = {
  id: 'deploy-docs',
  title: 'Deployment documentation',
  area: 'deployment',
  impact:
    'Only the people who set the service up know how to deploy it: a deploy by anyone else (or at night, or after they leave) is guesswork about the runtime, the services it needs and the variables it reads.',
  snippets: {
    default:
      '## Deployment\n\nRequires: <runtime and version>, PostgreSQL <n>, the variables in `.env.example`.\n\n1. `git checkout v<version>`\n2. `docker compose -f docker-compose.prod.yml up -d --build`\n3. `<run the migrations>`\n4. `curl -fsS https://<host>/health`',
  },
  run(ctx) {
    const matches = findDocs(ctx.docs, {
      file: /(?:^|\/)(?:deploy(?:ing|ment)?s?|release-process|releasing|going-live|production)(?:[._-][^/]*)?\.\w+$|(?:^|\/)deploy(?:ment)?s?\/[^/]+\.\w+$/i,
      title:
        /\bdeploy(?:ing|ment|ments)?\b|\brelease process\b|\breleasing\b|\bgo(?:ing)? live\b|\bin production\b|^production\b|\bproduction (?:setup|install(?:ation)?|build|environment)\b/i,
      exclude: /\broll(?:ing)?[\s-]?back\b|\bundeploy/i,
    });
    const best = matches[0];
    if (!best?.steps) {
      return {
        findings: [
          {
            rule: this.id,
            title: best ? 'Deployment guide has nothing to follow' : 'No deployment guide',
            severity: 'HIGH',
            location: best ? best.location : 'missing: a deployment guide of this project (DEPLOY.md, DEPLOYMENT.md, docs/deploy*.md, or a "Deploy"/"Deployment" section in README or docs/)',
            effort: 'M',
            evidence: best
              ? `${describeMatch(best)} has no command or numbered step (placeholders such as TODO/TBD do not count):\n${quote(best.section.body, best.section.file.rel, best.section.bodyLine)}`
              : 'No document of this project is named for deployment and no heading mentions deploying, releasing or going live.',
            recommendation:
              'Write a deployment guide: the requirements (runtime, services, environment variables, access) and the steps to deploy, as commands someone can follow.',
          },
        ],
      };
    }
    const only = best.actionable.length === 1 ? best.actionable[0] : undefined;
    if (only && !SHIPS.test(only.text)) {
      // One line that installs and starts the service where it stands is how to run it, not how to deploy it.
      return {
        findings: [
          {
            rule: this.id,
            title: 'Deployment guide is a single command',
            severity: 'HIGH',
            location: best.location,
            effort: 'M',
            evidence: `${describeMatch(best)} has one command and it ships nothing (no build, image, push or deploy tool):\n${best.section.file.rel}:${only.line}: ${only.text}`,
            recommendation:
              'Write the deployment as steps someone else can follow: how the release gets to the target (build, image, push, checkout of a tag), the configuration it needs, the migrations as their own step, how to check it is up.',
          },
        ],
      };
    }
    const sameFile = ctx.docs.filter((s) => s.file === best.section.file);
    const requirements = REQUIREMENTS.test(best.section.body) || sameFile.some((s) => s.level > 0 && REQUIREMENTS_TITLE.test(s.title));
    if (requirements) return { findings: [], passed: quoteMatch(best) };
    return {
      findings: [
        {
          rule: this.id,
          title: 'Deployment guide names no requirements',
          severity: 'MEDIUM',
          location: best.location,
          effort: 'S',
          evidence: `${quoteMatch(best)}\nNothing in it (or beside it) names prerequisites, configuration or environment variables.`,
          recommendation: 'List what is required before the steps: runtime and version, the services it needs (database, cache), the environment variables.',
        },
      ],
    };
  },
};
