import { describe, expect, it } from 'vitest';
import { checkOf, findingsOf, makeProject as makeFiles, review } from './helpers/temp-project.js';

// Every project here has some code: a folder of documents alone is refused ("nothing to review").
const makeProject = (files: Record<string, string>): string => makeFiles({ 'app.py': 'print("svc")\n', ...files });

const steps = '1. Build the image: `make image`.\n2. Push it: `make push`.\n3. Check `/health`.\n';

describe('runbook', () => {
  it('is HIGH when missing, in every environment: the standard makes only rollback and destructive migrations BLOCKERs', async () => {
    const dir = makeProject({ 'README.md': '# svc\n\nA service.\n', 'ROLLBACK.md': `# Rollback\n\n${steps}1. Redeploy the previous version tag.\n` });
    expect(findingsOf(await review(dir), 'runbook')).toEqual(['HIGH No runbook']);
    expect(findingsOf(await review(dir, { environment: 'staging' }), 'runbook')).toEqual(['HIGH No runbook']);
    const report = await review(dir);
    expect(report.findings.find((f) => f.rule === 'runbook')?.location).toMatch(/^missing: a runbook of this project \(RUNBOOK\.md/);
    expect(report.blocked).toBe(false);
    expect(report.verdict).toBe('NOT READY');
  });

  it('is found as a file, a runbooks/ folder or a README section, with steps', async () => {
    const layouts: Array<Record<string, string>> = [
      { 'RUNBOOK.md': `# Runbook\n\n${steps}` },
      { 'docs/runbooks/high-latency.md': `# High latency\n\n${steps}` },
      { 'README.md': `# svc\n\n## Runbook\n\n${steps}\n## License\n\nMIT\n` },
      { 'docs/operations.md': `# Operations\n\n${steps}` },
    ];
    for (const files of layouts) {
      const report = await review(makeProject(files));
      expect(findingsOf(report, 'runbook'), JSON.stringify(files)).toEqual([]);
      expect(checkOf(report, 'runbook').status).toBe('pass');
    }
  });

  it('does not take a thin stub or an unrelated "operating systems" heading for a runbook', async () => {
    const stub = await review(makeProject({ 'RUNBOOK.md': '# Runbook\n\nTBD.\n' }));
    expect(findingsOf(stub, 'runbook')).toEqual(['HIGH Runbook has nothing to follow']);
    expect(stub.findings.find((f) => f.rule === 'runbook')?.location).toBe('RUNBOOK.md:1');
    const os = await review(makeProject({ 'README.md': `# lib\n\n## Supported operating systems\n\n${steps}` }));
    expect(findingsOf(os, 'runbook')).toEqual(['HIGH No runbook']);
  });

  it('does not read runbooks of examples, tests or release notes', async () => {
    const report = await review(
      makeProject({
        'examples/demo/RUNBOOK.md': `# Runbook\n\n${steps}`,
        'test/fixtures/RUNBOOK.md': `# Runbook\n\n${steps}`,
        'CHANGELOG.md': `# Changelog\n\n## Runbook\n\n${steps}`,
      }),
    );
    expect(findingsOf(report, 'runbook')).toEqual(['HIGH No runbook']);
  });
});

describe('rollback procedure', () => {
  it('is a BLOCKER when missing, in every environment', async () => {
    const dir = makeProject({ 'README.md': '# svc\n' });
    expect(findingsOf(await review(dir, { environment: 'development' }), 'rollback-procedure')).toEqual(['BLOCKER No rollback procedure']);
  });

  it('is found as a section of a deployment guide', async () => {
    const report = await review(makeProject({ 'docs/deploy.md': `# Deploy\n\n${steps}\n## Rolling back\n\n1. Deploy the previous version tag.\n2. Run the down migrations.\n` }));
    expect(findingsOf(report, 'rollback-procedure')).toEqual([]);
    expect(checkOf(report, 'rollback-procedure').detail).toBe(
      'docs/deploy.md:7 "Rolling back":\ndocs/deploy.md:9: 1. Deploy the previous version tag.\ndocs/deploy.md:10: 2. Run the down migrations.',
    );
  });

  it('does not take a database transaction rollback for a deployment rollback', async () => {
    const report = await review(makeProject({ 'docs/db.md': '# Database\n\n## Rollback\n\nCall `tx.rollback()` to undo the statements of a transaction when one fails.\n' }));
    expect(findingsOf(report, 'rollback-procedure')).toEqual(['BLOCKER Rollback procedure has nothing to follow']);
  });

  it('is HIGH, not BLOCKER, when a rollback script exists but is not documented', async () => {
    const report = await review(makeProject({ 'scripts/rollback.sh': '#!/bin/sh\n./deploy.sh "$1"\n' }));
    expect(findingsOf(report, 'rollback-procedure')).toEqual(['HIGH Rollback exists but is not documented']);
  });
});

describe('deployment guide', () => {
  it('is HIGH when missing or when it has nothing to follow, MEDIUM when it names no requirements', async () => {
    expect(findingsOf(await review(makeProject({ 'README.md': '# svc\n' })), 'deploy-docs')).toEqual(['HIGH No deployment guide']);
    const thin = await review(makeProject({ 'README.md': '# svc\n\n## Deployment\n\nWe deploy it on the VM.\n' }));
    expect(findingsOf(thin, 'deploy-docs')).toEqual(['HIGH Deployment guide has nothing to follow']);
    expect(thin.findings.find((f) => f.rule === 'deploy-docs')?.evidence).toContain('README.md:5: We deploy it on the VM.');
    const noRequirements = await review(makeProject({ 'README.md': `# svc\n\n## Deployment\n\n${steps}` }));
    expect(findingsOf(noRequirements, 'deploy-docs')).toEqual(['MEDIUM Deployment guide names no requirements']);
  });

  it('passes with requirements and steps, in one file or a requirements section beside it', async () => {
    const guide = `# Deploying\n\nRequires Node 20 and the variables of .env.example.\n\n${steps}`;
    expect(findingsOf(await review(makeProject({ 'DEPLOY.md': guide })), 'deploy-docs')).toEqual([]);
    const split = `# svc\n\n## Prerequisites\n\nDocker.\n\n## Deploy\n\n${steps}`;
    expect(findingsOf(await review(makeProject({ 'README.md': split })), 'deploy-docs')).toEqual([]);
    const production = `# svc\n\n## Running in production\n\nNeeds PostgreSQL and the variables of .env.example.\n\n${steps}`;
    expect(findingsOf(await review(makeProject({ 'README.md': production })), 'deploy-docs')).toEqual([]);
  });
});
