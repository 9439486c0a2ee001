import type { ProjectFile } from '../project-files.js';
import type { ReviewContext } from '../review-context.js';
import type { DraftFinding } from '../types.js';
import { listEvidence, quoteLine, type ReadinessRule } from './rule.js';

const CI_FILE =
  /^(?:\.github\/workflows\/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml|\.gitlab\/ci\/.+\.ya?ml|\.circleci\/config\.ya?ml|Jenkinsfile(?:\.\w+)?|\.travis\.ya?ml|azure-pipelines\.ya?ml|\.azure-pipelines\/.+\.ya?ml|bitbucket-pipelines\.ya?ml|\.drone\.ya?ml|\.woodpecker(?:\.ya?ml|\/.+\.ya?ml)|\.buildkite\/.+|\.ci\/.+|appveyor\.ya?ml|buildspec\.ya?ml|cloudbuild\.ya?ml|\.semaphore\/.+\.ya?ml|codefresh\.ya?ml|\.tekton\/.+\.ya?ml)$/;

// Commands that run a test suite.
const TEST_COMMAND =
  /\b(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?(?:test|t)(?::[\w:-]+)?\b|\b(?:npm|yarn|pnpm)\s+start\s+test\b|\bnps\s+test\b|\bhatch\s+run\s+[\w:-]*test|\bpoetry\s+run\s+(?:pytest|python\s+-m\s+pytest|coverage\s+run)|\bcoverage\s+run\b|\buv\s+run\s+(?:pytest|coverage)|\bnpm\s+(?:cit|it|install-test)\b|\b(?:npx\s+|pnpm\s+exec\s+|yarn\s+)?(?:vitest|jest|mocha|ava|jasmine|karma|nyc|c8)\b|\bplaywright\s+test\b|\bcypress\s+run\b|\bnode\s+--test\b|\bpytest\b|\bpy\.test\b|-m\s+(?:pytest|unittest)\b|\btox\b|\bnox\b|\bmanage\.py\s+test\b|\bgo\s+test\b|\bcargo\s+test\b|\b(?:gradlew?|\.\/gradlew)\s+[\w\s:-]*\b(?:test|check)\b|\bmvnw?\s+[\w\s:-]*\b(?:test|verify)\b|\bhatch\s+(?:run\s+)?test\b|\bdeno\s+test\b/;
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
            severity: 'HIGH',
            location: 'missing: CI configuration (.github/workflows/*.yml, .gitlab-ci.yml, .circleci/config.yml, Jenkinsfile, .travis.yml, azure-pipelines.yml, bitbucket-pipelines.yml, .ci/…)',
            effort: 'M',
            evidence: 'No CI configuration file was found in the repository.',
            recommendation: 'Add a CI pipeline that installs the project and runs its tests on every push and pull request.',
          },
        ],
      };
    }
    const eol = findEndOfLifeRuntimes(ctx, ciFiles);
    const eolFindings: DraftFinding[] = eol.length === 0 ? [] : [
      {
        rule: this.id,
        title: 'CI runs on an end-of-life runtime',
        severity: 'MEDIUM',
        location: eol[0]?.split(': ')[0] ?? '',
        effort: 'S',
        issue: 'The pipeline tests on a runtime that no longer gets security fixes: either production runs it too, or production runs something the tests never saw.',
        evidence: listEvidence(eol),
        recommendation: 'Test on the supported runtime that production runs (and pin the same version in the Dockerfile).',
      },
    ];
    for (const file of ciFiles) {
      const hit = findTestRun(ctx, file);
      if (hit) return eolFindings.length > 0 ? { findings: eolFindings } : { findings: [], passed: hit };
    }
    const first = ciFiles[0] as ProjectFile;
    return {
      findings: [
        ...eolFindings,
        {
          rule: this.id,
          title: 'CI does not run the tests',
          severity: 'MEDIUM',
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
    // A script of the repository the step runs (`poetry run ./scripts/test`, `bash ci/test.sh`).
    for (const m of line.matchAll(/(?:^|[\s"'])\.?\/?((?:scripts?|bin|ci|tools?)\/[\w.-]+)/g)) {
      const script = ctx.files.get(m[1] ?? '');
      if (script && ctx.files.text(script).split('\n').some((l) => TEST_COMMAND.test(l.replace(/(?:^|\s)#.*$/, '')))) return `${file.rel}:${index + 1} (${script.rel})`;
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

// When each runtime line stops getting security fixes (the last day of support).
const NODE_EOL: Record<number, string> = { 4: '2018-04-30', 6: '2019-04-30', 8: '2019-12-31', 9: '2018-06-30', 10: '2021-04-30', 11: '2019-06-01', 13: '2020-06-01', 15: '2021-06-01', 17: '2022-06-01', 19: '2023-06-01', 21: '2024-06-01', 23: '2025-06-01', 12: '2022-04-30', 14: '2023-04-30', 16: '2023-09-11', 18: '2025-04-30', 20: '2026-04-30', 22: '2027-04-30', 24: '2028-04-30' };
const PYTHON_EOL: Record<string, string> = { '2.7': '2020-01-01', '3.6': '2021-12-23', '3.7': '2023-06-27', '3.8': '2024-10-07', '3.9': '2025-10-31', '3.10': '2026-10-31', '3.11': '2027-10-31', '3.12': '2028-10-31' };

/** `node-version: 16`, `python-version: "3.8"`, `image: node:14`, matrix lists: lines naming a runtime past its end of life today. */
function findEndOfLifeRuntimes(ctx: ReviewContext, ciFiles: ProjectFile[], today: Date = new Date()): string[] {
  const out: string[] = [];
  const past = (date: string | undefined): boolean => date !== undefined && new Date(`${date}T23:59:59Z`) < today;
  for (const file of ciFiles) {
    let list: 'node' | 'python' | null = null;
    ctx.files
      .text(file)
      .split('\n')
      .forEach((raw, i) => {
        if (/^\s*#/.test(raw)) return;
        // Travis and similar: `node_js:` / `python:` followed by a list of versions.
        const header = /^\s*(node_js|nodejs|python)\s*:\s*$/.exec(raw);
        if (header?.[1]) {
          list = header[1] === 'python' ? 'python' : 'node';
          return;
        }
        if (list && !/^\s*-\s*/.test(raw)) list = null;
        const line = list ? `${list === 'node' ? 'node-version' : 'python-version'}: ${raw.replace(/^\s*-\s*/, '')}` : raw;
        const node = /\bnode(?:[-_]version|js)?\s*:\s*\[?\s*['"]?(\d+)|\bimage\s*:\s*['"]?(?:docker\.io\/)?(?:library\/)?node:(\d+)/i.exec(line);
        const nodeMajors = node ? [...line.matchAll(/(?<![\d.])(\d{1,2})(?:\.x|\.\d+)*(?![\d.])/g)].map((m) => Number(m[1])).filter((n) => NODE_EOL[n] !== undefined) : [];
        const python = /\bpython(?:[-_]version)?\s*:\s*\[?|\bimage\s*:\s*['"]?(?:docker\.io\/)?(?:library\/)?python:/i.exec(line);
        const pythonVersions = python ? [...line.matchAll(/(?<![\d.])([23]\.\d{1,2})(?![\d])/g)].map((m) => m[1] ?? '') : [];
        const old = [...nodeMajors.filter((n) => past(NODE_EOL[n])).map((n) => `Node ${n} (end of life ${NODE_EOL[n]})`), ...pythonVersions.filter((v) => past(PYTHON_EOL[v])).map((v) => `Python ${v} (end of life ${PYTHON_EOL[v]})`)];
        if (old.length > 0) out.push(`${quoteLine(file.rel, i + 1, raw)} — ${old.join(', ')}`);
      });
  }
  return out;
}
