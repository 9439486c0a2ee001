import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot, projectConfigPath, queueFilePath, resolveWorkspace } from '../../workspace/paths.js';
import { exampleQueue, projectFileTemplate } from './init-templates.js';

/** Creates what is missing of a workspace; never overwrites a file. */
export async function initCommand(opts: { root: string; project?: string; json?: boolean }): Promise<void> {
  const ws = resolveWorkspace(opts.root);
  const made: string[] = [];
  const dir = (p: string): void => {
    if (!existsSync(p)) {
      mkdirSync(p, { recursive: true });
      made.push(`${path.relative(ws.root, p)}/`);
    }
  };
  const file = (p: string, text: () => string): void => {
    if (!existsSync(p)) {
      writeFileSync(p, text());
      made.push(path.relative(ws.root, p));
    }
  };
  const shipped = (...parts: string[]): string => readFileSync(path.join(packageRoot(), ...parts), 'utf8');
  dir(ws.tasksDir);
  dir(path.join(ws.governanceDir, 'contracts'));
  dir(path.join(ws.governanceDir, 'projects'));
  dir(path.join(ws.governanceDir, 'schema'));
  dir(ws.guardrailsDir);
  dir(ws.aibrainDir);
  file(path.join(ws.governanceDir, 'contracts', 'operator-team.yaml'), () => `# yaml-language-server: $schema=../schema/contract.schema.json\n${shipped('governance', 'contracts', 'operator-team.yaml')}`);
  for (const name of ['project.schema.json', 'contract.schema.json']) file(path.join(ws.governanceDir, 'schema', name), () => shipped('schema', name));
  file(path.join(ws.aibrainDir, '.gitignore'), () => '# runtime files of autonomous-loop: never committed\n*\n!.gitignore\n');
  file(path.join(ws.guardrailsDir, 'README.md'), () => '# Guardrails\nRule packs (YAML) here add to or override the packs autonomous-loop ships.\n');
  const schema = path.join(ws.tasksDir, 'work-queue.schema.json');
  if (!existsSync(schema)) {
    copyFileSync(path.join(packageRoot(), 'schema', 'work-queue.schema.json'), schema);
    made.push(path.relative(ws.root, schema));
  }
  if (opts.project) {
    file(queueFilePath(ws, opts.project), () => exampleQueue(opts.project ?? ''));
    file(projectConfigPath(ws, opts.project), () => projectFileTemplate(opts.project ?? ''));
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ root: ws.root, created: made, project: opts.project ?? null })}\n`);
    return;
  }
  const next = opts.project ? `\nnext: autonomous-loop validate --project ${opts.project}, then autonomous-loop --project ${opts.project}\n` : '';
  process.stdout.write(made.length > 0 ? `created in ${ws.root}:\n${made.map((m) => `  ${m}`).join('\n')}\n${next}` : `${ws.root} is a workspace already; nothing to create\n`);
}
