import type { ProjectFile } from '../project-files.js';
import type { ReviewContext } from '../review-context.js';
import type { ReadinessRule } from './rule.js';

const CI_FILE =
  /^(?:\.github\/workflows\/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml|\.gitlab\/ci\/.+\.ya?ml|\.circleci\/config\.ya?ml|Jenkinsfile(?:\.\w+)?|\.travis\.ya?ml|azure-pipelines\.ya?ml|\.azure-pipelines\/.+\.ya?ml|bitbucket-pipelines\.ya?ml|\.drone\.ya?ml|\.woodpecker(?:\.ya?ml|\/.+\.ya?ml)|\.buildkite\/.+|\.ci\/.+|appveyor\.ya?ml|buildspec\.ya?ml|cloudbuild\.ya?ml|\.semaphore\/.+\.ya?ml|codefresh\.ya?ml|\.tekton\/.+\.ya?ml)$/;

// Commands that run a test suite.
const TEST_COMMAND =
  /\b(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?(?:test|t)(?::[\w:-]+)?\b|\bnpm\s+(?:cit|it|install-test)\b|\b(?:npx\s+|pnpm\s+exec\s+|yarn\s+)?(?:vitest|jest|mocha|ava|jasmine|karma|nyc|c8)\b|\bplaywright\s+test\b|\bcypress\s+run\b|\bnode\s+--test\b|\bpytest\b|\bpy\.test\b|-m\s+(?:pytest|unittest)\b|\btox\b|\bnox\b|\bmanage\.py\s+test\b|\bgo\s+test\b|\bcargo\s+test\b|\b(?:gradlew?|\.\/gradlew)\s+[\w\s:-]*\b(?:test|check)\b|\bmvnw?\s+[\w\s:-]*\b(?:test|verify)\b|\bhatch\s+(?:run\s+)?test\b|\bdeno\s+test\b/;
// Commands that run a named script or target, which may run the tests.
const SCRIPT_CALL = /\b(?:(?:npm|pnpm|bun)\s+run|yarn(?:\s+run)?)\s+([\w:.-]+)|\bmake\s+(?:-\w+\s+)*([\w.-]+)|\bjust\s+([\w-]+)/g;

// Tests that run on every change are what stands between a bad commit and a deployment.
export const ciTestsRule: ReadinessRule = {
  id: 'ci-tests',
  title: 'CI runs the tests',
  area: 'ci-cd',
  impact:
    'Changes reach the deployment without the tests having run on them: a regression is found by users, not by the pipeline.',
  run(ctx) {
    const ciFiles = ctx.files.files.filter((f) => CI_FILE.test(f.rel));
    if (ciFiles.length === 0) {
      return {
        findings: [
          {
            rule: this.id,
            title: 'No CI configuration',
            severity: 'LOW',
            location: 'missing: CI configuration (.github/workflows/*.yml, .gitlab-ci.yml, .circleci/config.yml, Jenkinsfile, .travis.yml, azure-pipelines.yml, bitbucket-pipelines.yml, .ci/…)',
            effort: 'M',
            evidence: 'No CI configuration file was found in the repository.',
            recommendation: 'Add a CI pipeline that installs the project and runs its tests on every push and pull request.',
          },
        ],
      };
    }
    for (const file of ciFiles) {
      const hit = findTestRun(ctx, file);
      if (hit) return { findings: [], passed: hit };
    }
    const first = ciFiles[0] as ProjectFile;
    return {
      findings: [
        {
          rule: this.id,
          title: 'CI does not run the tests',
          severity: 'LOW',
          location: `${first.rel}:1`,
          effort: 'S',
          evidence: `CI configuration found (${ciFiles.map((f) => f.rel).join(', ')}) but no step runs a test command (npm test, vitest, jest, pytest, tox, manage.py test, …), directly or through a script.`,
          recommendation: 'Add a step that runs the test suite, and make the pipeline fail when it fails.',
        },
      ],
    };
  },
};

function findTestRun(ctx: ReviewContext, file: ProjectFile): string | undefined {
  const lines = ctx.files.text(file).split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.replace(/(?:^|\s)#.*$/, '');
    if (TEST_COMMAND.test(line)) return `${file.rel}:${index + 1}`;
    for (const m of line.matchAll(SCRIPT_CALL)) {
      const via = m[1] ? scriptRunsTests(ctx, m[1], 0) : m[2] ? targetRunsTests(ctx, m[2]) : m[3] ? recipeRunsTests(ctx, 'justfile', m[3]) : false;
      if (via) return `${file.rel}:${index + 1} (${m[0].trim()})`;
    }
  }
  return undefined;
}

function scriptRunsTests(ctx: ReviewContext, name: string, depth: number): boolean {
  if (depth > 3) return false;
  let scripts: Record<string, unknown> = {};
  try {
    const pkg = JSON.parse(ctx.files.text('package.json') || '{}') as { scripts?: Record<string, unknown> };
    scripts = pkg.scripts ?? {};
  } catch {
    return false;
  }
  const script = scripts[name];
  if (typeof script !== 'string') return false;
  if (TEST_COMMAND.test(script)) return true;
  return [...script.matchAll(SCRIPT_CALL)].some((m) => (m[1] ? scriptRunsTests(ctx, m[1], depth + 1) : m[2] ? targetRunsTests(ctx, m[2]) : false));
}

function targetRunsTests(ctx: ReviewContext, target: string): boolean {
  return recipeRunsTests(ctx, 'Makefile', target) || recipeRunsTests(ctx, 'makefile', target) || recipeRunsTests(ctx, 'GNUmakefile', target);
}

/** The recipe of `target` in a Makefile or justfile runs a test command. */
function recipeRunsTests(ctx: ReviewContext, fileName: string, target: string): boolean {
  const lines = ctx.files.text(fileName).split('\n');
  const start = lines.findIndex((l) => new RegExp(`^${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:(?!=)([^\\n]*)`).test(l));
  if (start < 0) return false;
  const header = lines[start] ?? '';
  if (TEST_COMMAND.test(header.split(':').slice(1).join(':')) || /:\s*.*\btest\b/.test(header)) return true;
  for (const line of lines.slice(start + 1)) {
    if (!/^\s/.test(line) && line.trim()) break;
    if (TEST_COMMAND.test(line)) return true;
  }
  return false;
}
