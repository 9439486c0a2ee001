import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOf, findingsOf, makeProject, review } from './helpers/temp-project.js';

const server = { 'package.json': '{"name":"svc","version":"1.0.0","dependencies":{"express":"^4"}}', 'src/app.js': "const express = require('express');\nconst app = express();\napp.listen(3000);\n" };

describe('documents count by substance, not by heading', () => {
  it('a README whose Runbook, Rollback and Deployment sections hold only TODO bullets passes none of them', async () => {
    const readme = '# svc\n\n## Runbook\n\n- TODO\n- TODO\n\n## Rollback\n\n- TODO\n- TBD\n\n## Deployment\n\n- TODO\n- TODO\n';
    const report = await review(makeProject({ ...server, 'README.md': readme }));
    expect(findingsOf(report, 'rollback-procedure')).toEqual(['BLOCKER Rollback procedure has nothing to follow']);
    expect(findingsOf(report, 'runbook')).toEqual(['HIGH Runbook has nothing to follow']);
    expect(findingsOf(report, 'deploy-docs')).toEqual(['HIGH Deployment guide has nothing to follow']);
    expect(report.verdict).toBe('BLOCKED');
    expect(report.findings.find((f) => f.rule === 'rollback-procedure')?.evidence).toContain('README.md:11: - TBD');
  });

  it('bullets without commands are not steps; numbered steps or commands are', async () => {
    const vague = '# svc\n\n## Rollback\n\n- be careful with the release\n- ask someone about the version\n';
    expect(findingsOf(await review(makeProject({ ...server, 'README.md': vague })), 'rollback-procedure')).toEqual(['BLOCKER Rollback procedure has nothing to follow']);
    const real = '# svc\n\n## Rollback\n\n- Redeploy the previous release: `git checkout v1.2.0 && make deploy`\n';
    const report = await review(makeProject({ ...server, 'README.md': real }));
    expect(findingsOf(report, 'rollback-procedure')).toEqual([]);
    expect(checkOf(report, 'rollback-procedure').detail).toContain('README.md:5: - Redeploy the previous release: `git checkout v1.2.0 && make deploy`');
  });

  it('session logs, notes and release notes are not the project\'s runbook or rollback', async () => {
    const steps = '1. Stop the other product with `systemctl stop other`.\n2. Deploy the previous version: `git checkout v0.9`.\n';
    const report = await review(
      makeProject({
        ...server,
        'sessions/2026-01-04-session.md': `# Session notes\n\n## Runbook\n\n${steps}\n## Rollback\n\n${steps}`,
        'docs/notes/ops.md': `# Runbook\n\n${steps}`,
        'RELEASE_NOTES.md': `# Release notes\n\n## Rollbacks\n\n${steps}`,
        'docs/index.md': `# Docs\n\n## v2.1.0: faster rollbacks\n\n${steps}`,
        'vendor/lib/RUNBOOK.md': `# Runbook\n\n${steps}`,
      }),
    );
    expect(findingsOf(report, 'runbook')).toEqual(['HIGH No runbook']);
    expect(findingsOf(report, 'rollback-procedure')).toEqual(['BLOCKER No rollback procedure']);
  });

  it('a symlinked ROLLBACK.md inside the repository is read', async () => {
    const dir = makeProject({ ...server, 'docs/ops/rollback.md': '# Rollback\n\n1. Redeploy the previous tag: `git checkout v1.0.0 && make deploy`.\n2. Check `curl -fsS http://localhost:3000/health`.\n' });
    symlinkSync(path.join('docs', 'ops', 'rollback.md'), path.join(dir, 'ROLLBACK.md'));
    mkdirSync(path.join(dir, 'outside-link-target'));
    const report = await review(dir);
    expect(findingsOf(report, 'rollback-procedure')).toEqual([]);
  });

  it('a symlink that leaves the repository is not followed', async () => {
    const outside = makeProject({ 'ROLLBACK.md': '# Rollback\n\n1. Redeploy the previous tag: `git checkout v1.0.0`.\n2. Check `curl -fsS http://x/health`.\n' });
    const dir = makeProject(server);
    symlinkSync(path.join(outside, 'ROLLBACK.md'), path.join(dir, 'ROLLBACK.md'));
    writeFileSync(path.join(dir, 'README.md'), '# svc\n');
    expect(findingsOf(await review(dir), 'rollback-procedure')).toEqual(['BLOCKER No rollback procedure']);
  });

  it('a rollback that returns the code but not the schema of a project with migrations is HIGH', async () => {
    const report = await review(
      makeProject({
        ...server,
        'migrations/001_init.up.sql': 'CREATE TABLE a (id int);\n',
        'migrations/001_init.down.sql': 'DROP TABLE a;\n',
        'docs/rollback.md': '# Rollback\n\n1. Deploy the previous image tag with `kubectl rollout undo deploy/svc`.\n2. Watch the pods come back.\n',
      }),
    );
    expect(findingsOf(report, 'rollback-procedure')).toEqual(['HIGH Rollback procedure does not cover the schema']);
  });
});

describe('nothing to review', () => {
  it('an empty folder, or one with only documents, is refused', async () => {
    await expect(review(makeProject({}))).rejects.toThrow(/nothing to review/);
    await expect(review(makeProject({ 'README.md': '# notes\n', 'data/x.csv': 'a,b\n' }))).rejects.toThrow(/nothing to review/);
  });
});
