export const PROMPT_PLACEHOLDERS = ['description', 'iteration', 'max_iterations', 'promise', 'last_error', 'last_output_tail'] as const;
export type PromptValues = Record<(typeof PROMPT_PLACEHOLDERS)[number], string>;

const PLACEHOLDER = /\{([a-z_]+)\}/g;

/** The default: the task, what the last iteration left, and how to say it is done. */
export const DEFAULT_PROMPT_TEMPLATE = `{description}

(Iteration {iteration} of {max_iterations}.) When the task is completely done, print <promise>{promise}</promise> on a line of its own; never print it before.
{feedback}`;

const FEEDBACK = `
The last iteration did not finish the task: {last_error}
The end of its output:
{last_output_tail}`;

/** Placeholders a template names that the loop does not fill: a contract problem. */
export function unknownPlaceholders(template: string): string[] {
  const known = new Set<string>([...PROMPT_PLACEHOLDERS, 'feedback']);
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '').filter((name) => !known.has(name));
}

/**
 * Fills a template in one pass: a value that itself holds `{last_error}` (a description, an
 * agent's output) is put in as it is, never filled again. `{feedback}` is the last iteration's
 * error and output tail, or nothing on a first iteration.
 */
export function renderPrompt(template: string, values: PromptValues): string {
  const feedback = values.last_error ? fill(FEEDBACK, { ...values, feedback: '' }) : '';
  return fill(template, { ...values, feedback }).trimEnd();
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? (values[name] ?? '') : whole));
}
