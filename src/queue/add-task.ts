import { locateTasks } from './json-text.js';

/**
 * The queue text with one more task at the end of its task array, the rest of the text as it was
 * (key order, spacing, other fields). A queue with no task yet is written again with two-space
 * indentation; `null` when the text has no task array to add to.
 */
export function addTaskText(text: string, tasksKey: 'features' | 'tasks', task: Record<string, unknown>): string | null {
  const tasks = locateTasks(text, tasksKey);
  const last = tasks[tasks.length - 1];
  if (!last) {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return null;
    }
    if (!Array.isArray(json[tasksKey])) return null;
    (json[tasksKey] as unknown[]).push(task);
    return `${JSON.stringify(json, null, 2)}\n`;
  }
  const lineStart = text.lastIndexOf('\n', last.start - 1) + 1;
  const taskIndent = /^[ \t]*/.exec(text.slice(lineStart, last.start))?.[0] ?? '';
  const step = last.indent.startsWith(taskIndent) && last.indent.length > taskIndent.length ? last.indent.slice(taskIndent.length) : '  ';
  const body = JSON.stringify(task, null, step)
    .split('\n')
    .map((line, i) => (i === 0 ? line : taskIndent + line))
    .join('\n');
  return `${text.slice(0, last.end)},\n${taskIndent}${body}${text.slice(last.end)}`;
}
