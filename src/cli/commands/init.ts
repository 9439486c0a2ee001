import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot, queueFilePath, resolveWorkspace } from '../../workspace/paths.js';

/** Creates what is missing of a workspace; never overwrites a file. */
export async function initCommand(opts: { root: string; project?: string }): Promise<void> {
  const ws = resolveWorkspace(opts.root);
  const made: string[] = [];
  const dir = (p: string): void => {
    if (!existsSync(p)) {
      mkdirSync(p, { recursive: true });
      made.push(`${path.relative(ws.root, p)}/`);
    }
  };
  const file = (p: string, write: () => void): void => {
    if (!existsSync(p)) {
      write();
      made.push(path.relative(ws.root, p));
    }
  };
  dir(ws.tasksDir);
  dir(path.join(ws.governanceDir, 'contracts'));
  dir(path.join(ws.governanceDir, 'projects'));
  dir(ws.guardrailsDir);
  dir(ws.aibrainDir);
  const contract = path.join(ws.governanceDir, 'contracts', 'operator-team.yaml');
  file(contract, () => copyFileSync(path.join(packageRoot(), 'governance', 'contracts', 'operator-team.yaml'), contract));
  file(path.join(ws.aibrainDir, '.gitignore'), () => writeFileSync(path.join(ws.aibrainDir, '.gitignore'), '# runtime files of autonomous-loop: never committed\n*\n!.gitignore\n'));
  file(path.join(ws.guardrailsDir, 'README.md'), () =>
    writeFileSync(path.join(ws.guardrailsDir, 'README.md'), '# Guardrails\nRule packs (YAML) here add to or override the packs autonomous-loop ships.\n'),
  );
  const schema = path.join(ws.tasksDir, 'work-queue.schema.json');
  file(schema, () => copyFileSync(path.join(packageRoot(), 'schema', 'work-queue.schema.json'), schema));
  if (opts.project) {
    const queue = queueFilePath(ws, opts.project);
    file(queue, () => writeFileSync(queue, `${JSON.stringify({ $schema: './work-queue.schema.json', project: opts.project, features: [] }, null, 2)}\n`));
  }
  process.stdout.write(made.length > 0 ? `created in ${ws.root}:\n${made.map((m) => `  ${m}`).join('\n')}\n` : `${ws.root} is a workspace already; nothing to create\n`);
}
