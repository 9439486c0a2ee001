import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeploymentAgent } from '../../src/agents/deployment-agent.js';
import { makeContext, makeTask, MemoryRecords } from './helpers/iteration-context.js';
import { makeTempWorkspace, removeDemoWorkspaces } from './helpers/demo-workspace.js';
import { git, makeRepo, removeRepos } from './helpers/git-repo.js';

afterEach(async () => {
  await removeDemoWorkspaces();
  removeRepos();
});

// The deploy command writes down what it was given, so the test sees the variables it ran with.
const DEPLOY = `["\${NODE}", "-e", "const e = process.env; require('fs').writeFileSync(e.WORKSPACE_ROOT + '/deployed.json', JSON.stringify({ VERSION: e.VERSION, ENVIRONMENT: e.ENVIRONMENT, PROJECT: e.PROJECT, PORT: e.PORT, RELEASE_DIR: e.RELEASE_DIR, cwd: process.cwd() }))"]`;

function setUp(tagReleases: boolean) {
  const repo = makeRepo({ 'app.txt': 'one\n' });
  const ws = makeTempWorkspace();
  writeFileSync(
    path.join(ws.governanceDir, 'projects', 'svc.yaml'),
    [
      'version: 1',
      `path: ${JSON.stringify(repo)}`,
      `git: { tag_releases: ${tagReleases} }`,
      'environments:',
      '  staging:',
      '    port: 5999',
      '    env: { RELEASE_DIR: "${WORKSPACE_ROOT}/releases/${VERSION}" }',
      `    commands: { deploy: ${DEPLOY} }`,
    ].join('\n'),
  );
  return { repo, ws };
}

describe('deployment agent: the project repo and the command environment', () => {
  it('runs commands in the project folder with VERSION, ENVIRONMENT, PROJECT, PORT and the env entries', async () => {
    const { repo, ws } = setUp(false);
    const ctx = makeContext({ workspace: ws, project: 'svc', task: makeTask({ id: 'D', environment: 'staging', version: '2.0.0-rc.1' }) });
    const result = await createDeploymentAgent().runIteration(ctx);
    expect(result.verdict).toBe('PASS');
    expect(JSON.parse(readFileSync(path.join(ws.root, 'deployed.json'), 'utf8'))).toEqual({
      VERSION: '2.0.0-rc.1',
      ENVIRONMENT: 'staging',
      PROJECT: 'svc',
      PORT: '5999',
      RELEASE_DIR: path.join(ws.root, 'releases', '2.0.0-rc.1'),
      cwd: repo,
    });
    expect(git(repo, 'tag', '--list')).toBe('');
    expect(ctx.records.records[0]?.warnings).toEqual(
      expect.arrayContaining([expect.stringMatching(/^no test command for staging/), expect.stringMatching(/^no health_check for staging/)]),
    );
  });

  it("tags the release v<version> in the project's own repo once, and never moves the tag", async () => {
    const { repo, ws } = setUp(true);
    const first = git(repo, 'rev-parse', 'HEAD');
    const agent = createDeploymentAgent();
    const records = new MemoryRecords();
    const task = makeTask({ id: 'DEPLOY-STAGING-001', environment: 'staging', version: '1.0.0' });
    const one = await agent.runIteration(makeContext({ workspace: ws, project: 'svc', task, records }));
    expect(one.verdict).toBe('PASS');
    expect(one.output).toContain(`tagged v1.0.0 at ${first}`);
    expect(git(repo, 'tag', '--list')).toBe('v1.0.0');
    expect(git(repo, 'tag', '-l', '--format=%(contents)', 'v1.0.0')).toBe('svc 1.0.0 deployed to staging by autonomous-loop (DEPLOY-STAGING-001)');
    expect(records.records[0]?.commit).toBe(first);

    writeFileSync(path.join(repo, 'app.txt'), 'two\n');
    git(repo, 'commit', '--quiet', '-am', 'second');
    const two = await agent.runIteration(makeContext({ workspace: ws, project: 'svc', task, records }));
    expect(two.verdict).toBe('PASS');
    expect(two.output).toContain('v1.0.0 was tagged already');
    expect(git(repo, 'tag', '--list')).toBe('v1.0.0');
    expect(git(repo, 'rev-list', '-n', '1', 'v1.0.0')).toBe(first);
    expect(records.records.map((r) => r.status)).toEqual(['success', 'success']);
  });
});
