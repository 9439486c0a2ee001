import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listChangedFiles, readHeadCommit, tagRelease } from '../../../src/agents/deploy/git-release.js';
import { git, makeRepo, removeRepos } from '../helpers/git-repo.js';

const dirs: string[] = [];
afterEach(() => {
  removeRepos();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('git release helpers', () => {
  it('tags HEAD v<version> once and never moves the tag', async () => {
    const repo = makeRepo();
    const first = git(repo, 'rev-parse', 'HEAD');
    expect(await tagRelease(repo, '1.0.0', 'demo 1.0.0 deployed')).toEqual({ tag: 'v1.0.0', created: true, commit: first });
    expect(git(repo, 'tag', '--list')).toBe('v1.0.0');
    expect(git(repo, 'cat-file', '-t', 'v1.0.0')).toBe('tag');
    expect(git(repo, 'tag', '-l', '--format=%(contents)', 'v1.0.0')).toBe('demo 1.0.0 deployed');

    writeFileSync(path.join(repo, 'app.txt'), 'two\n');
    git(repo, 'commit', '--quiet', '-am', 'second');
    expect(await tagRelease(repo, '1.0.0', 'again')).toEqual({ tag: 'v1.0.0', created: false, commit: first });
    expect(git(repo, 'rev-list', '-n', '1', 'v1.0.0')).toBe(first);
  });

  it('reads HEAD, and says null / reports an error outside a repository', async () => {
    const repo = makeRepo();
    expect(await readHeadCommit(repo)).toBe(git(repo, 'rev-parse', 'HEAD'));
    const plain = mkdtempSync(path.join(os.tmpdir(), 'al-plain-'));
    dirs.push(plain);
    expect(await readHeadCommit(plain)).toBeNull();
    expect(await tagRelease(plain, '1.0.0', 'x')).toMatchObject({ created: false, error: `${plain} is not a git repository` });
  });

  it('lists the files of the project changed since a release tag', async () => {
    const repo = makeRepo();
    mkdirSync(path.join(repo, 'svc', 'migrations'), { recursive: true });
    writeFileSync(path.join(repo, 'svc', 'a.sql'), 'select 1;\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '--quiet', '-m', 'svc');
    await tagRelease(repo, '1.0.0', 'x');
    writeFileSync(path.join(repo, 'svc', 'migrations', '002_b.up.sql'), 'select 2;\n');
    writeFileSync(path.join(repo, 'other.txt'), 'outside the project\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '--quiet', '-m', 'more');
    expect(await listChangedFiles(repo, path.join(repo, 'svc'), '1.0.0')).toEqual([path.join(repo, 'svc', 'migrations', '002_b.up.sql')]);
    expect(await listChangedFiles(repo, path.join(repo, 'svc'), '0.9.0')).toEqual([]);
  });
});
