import path from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { loadQueue } from '../../queue/load-queue.js';
import { findWorkspaceRoot, listQueueFiles } from '../../workspace/find-workspace.js';
import { queueFilePath, resolveWorkspace } from '../../workspace/paths.js';

// Each script asks the CLI itself (`autonomous-loop __complete <words so far>`), so project names
// and task ids come from the workspace the shell is in.
const SCRIPTS: Record<string, string> = {
  bash: `# autonomous-loop completion for bash: source it, or add it to ~/.bashrc
_autonomous_loop() {
  local IFS=$'\\n'
  COMPREPLY=( $(autonomous-loop __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) )
}
complete -o default -F _autonomous_loop autonomous-loop
`,
  zsh: `#compdef autonomous-loop
# autonomous-loop completion for zsh: source it, or put it in a folder of $fpath as _autonomous-loop
_autonomous_loop() {
  local -a candidates
  candidates=("\${(@f)$(autonomous-loop __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  compadd -- \${candidates:#}
}
compdef _autonomous_loop autonomous-loop
`,
  fish: `# autonomous-loop completion for fish: save as ~/.config/fish/completions/autonomous-loop.fish
complete -c autonomous-loop -f -a '(autonomous-loop __complete (commandline -opc)[2..-1] (commandline -ct))'
`,
};

export async function completionCommand(shell: string): Promise<void> {
  const script = SCRIPTS[shell];
  if (!script) throw new InputError(`completion: '${shell}' is not a shell it knows (bash, zsh or fish)\ntry 'autonomous-loop completion bash'`);
  process.stdout.write(script);
}

/** The candidates for the last word of a command line (the words after the program's name). */
export function completeWords(program: Command, words: string[]): void {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const prev = before.at(-1);
  const commands = program.commands.filter((c) => !c.name().startsWith('__'));
  const command = commands.find((c) => before.includes(c.name())) ?? commands.find((c) => c.name() === 'run');
  const root = valueOf(before, '--root') ?? findWorkspaceRoot();
  let candidates: string[];
  if (prev === '-p' || prev === '--project') candidates = projects(root);
  else if (prev === '--env') candidates = ['development', 'staging', 'production'];
  else if (prev === 'completion') candidates = Object.keys(SCRIPTS);
  else if (current.startsWith('-')) candidates = (command?.options ?? []).flatMap((o) => [o.long ?? '', o.short ?? '']).filter(Boolean);
  else if (command && ['approve', 'reject'].includes(command.name()) && before.includes(command.name())) candidates = taskIds(root, valueOf(before, '--project', '-p'));
  else if (!commands.some((c) => before.includes(c.name()))) candidates = commands.map((c) => c.name());
  else candidates = [];
  const out = candidates.filter((c) => c.startsWith(current));
  if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
}

function valueOf(words: string[], ...flags: string[]): string | undefined {
  const i = words.findIndex((w) => flags.includes(w));
  return i >= 0 ? words[i + 1] : undefined;
}

function projects(root: string): string[] {
  const tasksDir = resolveWorkspace(root).tasksDir;
  return listQueueFiles(root)
    .filter((f) => path.dirname(f) === tasksDir)
    .map((f) => /^work_queue_(.+)\.json$/.exec(path.basename(f))?.[1] ?? '')
    .filter(Boolean);
}

function taskIds(root: string, project: string | undefined): string[] {
  const name = project ?? (projects(root).length === 1 ? projects(root)[0] : undefined);
  if (!name) return [];
  try {
    const queue = loadQueue(queueFilePath(resolveWorkspace(root), name), { defaultAgent: 'command', maxIterations: () => 1 });
    return queue.tasks.map((t) => t.id);
  } catch {
    return [];
  }
}
