import { gateBoxContent } from '../../engine/gate-box-content.js';
import type { BlockedPrompt, GatePrompt } from '../../engine/prompter.js';
import { redactSecrets } from '../../log/redact-secrets.js';
import { escapeAllControls } from '../../log/terminal-text.js';

/** A titled box of lines, as every approval question is shown. */
export function formatBox(title: string, rawLines: string[]): string {
  return box(title, rawLines);
}

function box(title: string, rawLines: string[]): string {
  const max = Math.max(40, Math.min(100, (process.stdout.columns || 100) - 2));
  const lines = rawLines.map((l) => escapeAllControls(redactSecrets(l))).flatMap((l) => wrap(l, max - 4));
  const width = Math.min(max, Math.max(title.length + 4, ...lines.map((l) => l.length + 4)));
  const bar = '═'.repeat(width - 2);
  const row = (l: string): string => `║ ${l.padEnd(width - 4)} ║`;
  return [`╔${bar}╗`, row(title), `╠${bar}╣`, ...lines.map(row), `╚${bar}╝`].join('\n');
}

function wrap(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const indent = ' '.repeat(Math.min(12, line.length - line.trimStart().length + 4));
  const out: string[] = [];
  let rest = line;
  while (rest.length > width) {
    const cut = rest.lastIndexOf(' ', width);
    const at = cut > width / 2 ? cut : width;
    out.push(rest.slice(0, at));
    rest = indent + rest.slice(at).trimStart();
  }
  out.push(rest);
  return out;
}

export function formatGateBox(p: GatePrompt): string {
  const { title, lines } = gateBoxContent(p);
  return box(title, lines);
}

export function formatBlockedBox(p: BlockedPrompt): string {
  const lines = [
    `Task:        ${p.task.id} (${p.task.agentType}), iteration ${p.iteration}`,
    `Environment: ${p.task.environment ?? '(none)'}   Version: ${p.task.version ?? '(none)'}`,
    `Why:         ${p.error}`,
    ...p.findings.slice(0, 12).map((f) => `  [${f.severity}] ${f.rule}${f.location ? ` at ${f.location}` : ''}: ${f.message}`),
  ];
  if (p.findings.length > 12) lines.push(`  ... and ${p.findings.length - 12} more`);
  lines.push(
    '',
    ...(p.canRevert ? [p.task.agentType === 'provisioning' ? 'R  Revert:   discard this plan (nothing was applied) and mark the task blocked' : 'R  Revert:   undo what the task changed since it started (git) and mark it blocked'] : []),
    `O  Override: ${p.task.agentType === 'provisioning' ? 'let the plan go on to the approval box (a person still approves it)' : `count this iteration as passed${p.task.agentType === 'deployment' || p.task.agentType === 'migration' ? ' (the blocked step goes on)' : ' (the task completes, its dependents run)'}`}; a reason is recorded`,
    'A  Abort:    stop the whole run now; the task stays pending (run again to resume)',
  );
  const rules = p.findings.map((f) => f.rule);
  const who = rules.length > 0 && rules.every((r) => r === 'agent-blocked')
    ? 'THE AGENT BLOCKED THE TASK'
    : rules.some((r) => /^OPERATOR-/.test(r))
      ? `READINESS BLOCKED THE TASK (${[...new Set(rules.map((r) => r.split(' ')[0]))].join(', ')})`
      : `GUARDRAIL BLOCKED THE TASK${rules.length > 0 ? ` (${[...new Set(rules)].slice(0, 4).join(', ')})` : ''}`;
  return box(who, lines);
}
