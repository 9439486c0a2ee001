import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { environmentConfig, loadProjectConfig, requireCommand } from '../../src/agents/project-config.js';
import { resolveWorkspace } from '../../src/workspace/paths.js';
import { demoAppPath, makeTempWorkspace, removeDemoWorkspaces, repoRoot } from './helpers/demo-workspace.js';

afterEach(removeDemoWorkspaces);

function writeProject(yaml: string, project = 'p') {
  const ws = makeTempWorkspace();
  writeFileSync(path.join(ws.governanceDir, 'projects', `${project}.yaml`), yaml);
  return ws;
}

function loadError(ws: ReturnType<typeof makeTempWorkspace>, project = 'p'): InputError {
  try {
    loadProjectConfig(ws, project);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('loadProjectConfig', () => {
  it('loads the shipped demo project, defaults merged into each environment', () => {
    const config = loadProjectConfig(resolveWorkspace(path.join(repoRoot, 'examples', 'demo')), 'demo');
    expect(config.path).toBe(demoAppPath);
    expect(config.git).toEqual({ repo: demoAppPath, tagReleases: false, push: false, remote: null });
    expect(config.displayFile).toBe(path.join('governance', 'projects', 'demo.yaml'));
    const dev = environmentConfig(config, 'development', 'test');
    expect(dev.port).toBe(4301);
    expect(config.environments.staging?.port).toBe(4302);
    expect(config.environments.production?.port).toBe(4303);
    expect(dev.commands.deploy).toEqual(['${NODE}', 'scripts/deploy.mjs']);
    expect(dev.timeoutsMs.deploy).toBe(60_000);
    expect(dev.timeoutsMs.migrate_status).toBe(60_000);
    expect(dev.healthCheck).toMatchObject({ url: 'http://127.0.0.1:${PORT}/health', expectedStatus: 200, timeoutMs: 2000, retries: 4, backoffMs: 250 });
  });

  it('resolves relative paths against the workspace root', () => {
    const ws = writeProject('version: 1\npath: .\ngit: { repo: tasks }\nenvironments: { development: { commands: { deploy: [echo] } } }\n');
    const config = loadProjectConfig(ws, 'p');
    expect(config.path).toBe(ws.root);
    expect(config.git.repo).toBe(path.join(ws.root, 'tasks'));
  });

  it('git.push with its remote; push without a remote is refused, naming git.remote', () => {
    const ws = writeProject('version: 1\npath: .\ngit: { push: true, remote: origin }\nenvironments: {}\n');
    expect(loadProjectConfig(ws, 'p').git).toMatchObject({ push: true, remote: 'origin' });
    expect(loadError(writeProject('version: 1\npath: .\ngit: { push: true }\nenvironments: {}\n')).problems).toEqual([expect.stringMatching(/^git\.remote: expected the remote/)]);
  });

  it('names the file and the YAML key path of each problem', () => {
    const ws = writeProject(
      [
        'version: 1',
        'path: .',
        'environments:',
        '  development:',
        '    port: 99999',
        '    commands:',
        '      deploy: "npm run deploy"',
        '      test: ["npm", ""]',
        '    health_check: { url: "http://localhost/health", command: ["true"] }',
        '  qa: {}',
      ].join('\n'),
    );
    const error = loadError(ws);
    expect(error.message).toContain(path.join('governance', 'projects', 'p.yaml'));
    expect(error.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^environments\.development\.port: /),
        expect.stringMatching(/^environments\.development\.commands\.deploy: expected an argv array/),
        expect.stringMatching(/^environments\.development\.commands\.test\[1\]: expected a non-empty argument/),
        expect.stringMatching(/^environments: .*qa/),
      ]),
    );
  });

  it('refuses a health check with both a url and a command, and unknown ${variables}', () => {
    const ws = writeProject(
      [
        'version: 1',
        'path: .',
        'defaults:',
        '  env: { HOME_DIR: "${WORKSPACE_ROOT}/x", BAD: "${NOPE}" }',
        'environments:',
        '  staging:',
        '    commands: { deploy: ["deploy", "${HOME_DIR}", "${VERSON}"] }',
        '    health_check: { url: "http://localhost/health", command: ["true"] }',
      ].join('\n'),
    );
    const error = loadError(ws);
    expect(error.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^environments\.staging\.env\.BAD: unknown variable \$\{NOPE\}/),
        expect.stringMatching(/^environments\.staging\.commands\.deploy\[2\]: unknown variable \$\{VERSON\}/),
        'environments.staging.health_check: expected either url or command (exactly one)',
      ]),
    );
    expect(error.problems.join('\n')).not.toContain('HOME_DIR}');
  });

  it('lets an environment replace the default health probe', () => {
    const ws = writeProject(
      [
        'version: 1',
        'path: .',
        'defaults: { health_check: { url: "http://127.0.0.1:${PORT}/health", retries: 1 } }',
        'environments:',
        '  development: { port: 1234 }',
        '  production: { health_check: { command: ["check"] } }',
      ].join('\n'),
    );
    const config = loadProjectConfig(ws, 'p');
    expect(config.environments.development?.healthCheck).toMatchObject({ url: 'http://127.0.0.1:${PORT}/health', retries: 1 });
    expect(config.environments.production?.healthCheck).toMatchObject({ command: ['check'], retries: 1 });
    expect(config.environments.production?.healthCheck?.url).toBeUndefined();
  });

  it('reports YAML syntax errors with their line, a missing file, and a missing path', () => {
    expect(loadError(writeProject('version: 1\npath: [\n')).message).toMatch(/p\.yaml: not valid YAML.*line/s);
    expect(loadError(makeTempWorkspace(), 'nope').message).toBe(`${path.join('governance', 'projects', 'nope.yaml')}: no such file (it says where the project lives and how to deploy it)`);
    expect(loadError(writeProject('version: 1\npath: ./missing\nenvironments: {}\n')).message).toContain("path: './missing' does not exist");
  });

  it('names a missing environment or command with its key path', () => {
    const ws = writeProject('version: 1\npath: .\nenvironments: { development: { commands: { deploy: [echo] } } }\n');
    const config = loadProjectConfig(ws, 'p');
    expect(() => environmentConfig(config, 'production', 'task X runs there')).toThrow(`${path.join('governance', 'projects', 'p.yaml')}: environments.production: missing (task X runs there)`);
    const dev = environmentConfig(config, 'development', '');
    expect(() => requireCommand(config, dev, 'migrate_up', 'run_migrations is true')).toThrow('environments.development.commands.migrate_up: missing (run_migrations is true)');
  });
});
