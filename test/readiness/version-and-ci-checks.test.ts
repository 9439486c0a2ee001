import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readGitTags } from '../../src/readiness/versions/read-git-tags.js';
import { compareVersions, parseVersion } from '../../src/readiness/versions/compare-versions.js';
import { checkOf, findingsOf, makeProject as makeFiles, review } from './helpers/temp-project.js';

// Every project here has some code: a folder without any is refused ("nothing to review").
const makeProject = (files: Record<string, string>): string => makeFiles({ 'app.py': 'print("svc")\n', ...files });

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', ...args], { cwd, stdio: 'ignore' });
}

function gitRepo(files: Record<string, string>, tags: string[], pack = false): string {
  const dir = makeProject(files);
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'init');
  for (const tag of tags) git(dir, 'tag', tag);
  if (pack) git(dir, 'pack-refs', '--all');
  return dir;
}

describe('version consistency', () => {
  it('orders versions as semver and PEP 440 do for the usual cases', () => {
    const v = (s: string) => parseVersion(s) ?? (() => { throw new Error(s); })();
    expect(compareVersions(v('1.10.0'), v('1.9.9'))).toBeGreaterThan(0);
    expect(compareVersions(v('2.0.0-rc.1'), v('2.0.0'))).toBeLessThan(0);
    expect(compareVersions(v('1.3.0.dev0'), v('1.3.0'))).toBeLessThan(0);
    expect(compareVersions(v('v1.2'), v('1.2.0'))).toBe(0);
  });

  it('reads loose and packed tags from .git without running git', () => {
    const loose = gitRepo({ 'a.txt': 'a' }, ['v1.0.0', 'release/v1.1.0']);
    expect(readGitTags(loose)).toEqual(['release/v1.1.0', 'v1.0.0']);
    const packed = gitRepo({ 'a.txt': 'a' }, ['v2.0.0'], true);
    expect(readGitTags(packed)).toEqual(['v2.0.0']);
    expect(readGitTags(makeProject({ 'a.txt': 'a' }))).toBeUndefined();
  });

  it('flags manifests that disagree and a CHANGELOG without the current version', async () => {
    const report = await review(
      makeProject({
        'package.json': JSON.stringify({ name: 'a', version: '1.4.0' }, null, 2),
        'package-lock.json': JSON.stringify({ name: 'a', version: '1.3.0', lockfileVersion: 3 }, null, 2),
        'CHANGELOG.md': '# Changelog\n\n## [1.3.0] - 2024-01-01\n\n- x\n',
      }),
    );
    expect(findingsOf(report, 'version-consistency')).toEqual(['MEDIUM Manifests disagree on the version', 'MEDIUM CHANGELOG has no entry for 1.4.0']);
    expect(report.findings.find((f) => f.title.startsWith('Manifests'))?.evidence).toBe('package.json:3: 1.4.0\npackage-lock.json:3: 1.3.0');
  });

  it('flags a tag newer than the manifest, and passes when they agree', async () => {
    const files = { 'pyproject.toml': '[project]\nname = "a"\nversion = "0.9.0"\n', 'CHANGES.md': '## 0.9.0\n\n- x\n' };
    const ahead = await review(gitRepo(files, ['v0.9.0', 'v1.0.0']));
    expect(findingsOf(ahead, 'version-consistency')).toEqual(['MEDIUM Newest tag v1.0.0 is ahead of the manifest']);
    const same = await review(gitRepo(files, ['v0.8.0', 'v0.9.0']));
    expect(findingsOf(same, 'version-consistency')).toEqual([]);
    expect(checkOf(same, 'version-consistency').detail).toBe('pyproject.toml:3 0.9.0, CHANGES.md:1 0.9.0, tag v0.9.0');
  });

  it('accepts a development version with an Unreleased section, and notes tags without a CHANGELOG', async () => {
    const dev = await review(makeProject({ 'pkg/__init__.py': '__version__ = "1.3.0.dev0"\n', 'CHANGELOG.rst': 'Unreleased\n----------\n\n1.2.0\n-----\n' }));
    expect(findingsOf(dev, 'version-consistency')).toEqual([]);
    const noLog = await review(gitRepo({ 'package.json': '{"name":"a","version":"1.0.0"}' }, ['v1.0.0']));
    expect(findingsOf(noLog, 'version-consistency')).toEqual(['LOW Releases are tagged but there is no CHANGELOG']);
  });
});

describe('CI runs the tests', () => {
  it('is HIGH when there is no CI, MEDIUM when CI runs no tests (commented-out steps do not count)', async () => {
    expect(findingsOf(await review(makeProject({ 'a.js': '' })), 'ci-tests')).toEqual(['HIGH No CI configuration']);
    const lint = await review(makeProject({ '.github/workflows/lint.yml': 'jobs:\n  l:\n    steps:\n      # - run: npm test\n      - run: npx eslint .\n' }));
    expect(findingsOf(lint, 'ci-tests')).toEqual(['MEDIUM CI does not run the tests']);
  });

  it('recognises nps (`npm start test`), tox and make targets as running the tests', async () => {
    const nps = await review(makeProject({ '.github/workflows/ci.yml': 'jobs:\n  t:\n    steps:\n      - run: npm start test\n' }));
    expect(findingsOf(nps, 'ci-tests')).toEqual([]);
    const tox = await review(makeProject({ '.github/workflows/ci.yml': 'jobs:\n  t:\n    steps:\n      - run: tox -e py312\n' }));
    expect(findingsOf(tox, 'ci-tests')).toEqual([]);
  });

  it('flags CI on an end-of-life runtime', async () => {
    const old = await review(makeProject({ '.github/workflows/ci.yml': 'jobs:\n  t:\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          node-version: 14\n      - run: npm test\n' }));
    expect(findingsOf(old, 'ci-tests')).toEqual(['MEDIUM CI runs on an end-of-life runtime']);
    expect(old.findings.find((f) => f.rule === 'ci-tests')?.evidence).toContain('.github/workflows/ci.yml:6: node-version: 14 — Node 14 (end of life 2023-04-30)');
    const py = await review(makeProject({ '.github/workflows/ci.yml': 'jobs:\n  t:\n    strategy:\n      matrix:\n        python-version: ["3.8", "3.12"]\n    steps:\n      - run: pytest\n' }));
    expect(py.findings.find((f) => f.rule === 'ci-tests')?.evidence).toContain('Python 3.8 (end of life 2024-10-07)');
  });

  it('follows npm scripts and make targets to a test command', async () => {
    const viaScript = await review(
      makeProject({
        'package.json': JSON.stringify({ scripts: { ci: 'npm run lint && npm run check', check: 'tsc && vitest run', lint: 'eslint .' } }),
        '.gitlab-ci.yml': 'test:\n  script:\n    - npm ci\n    - npm run ci\n',
      }),
    );
    expect(checkOf(viaScript, 'ci-tests').detail).toBe('.gitlab-ci.yml:4 (npm run ci)');
    const viaMake = await review(makeProject({ Makefile: 'check:\n\tpython -m pytest -q\n', Jenkinsfile: "pipeline { stages { stage('t') { steps { sh 'make check' } } } }\n" }));
    expect(findingsOf(viaMake, 'ci-tests')).toEqual([]);
  });
});
