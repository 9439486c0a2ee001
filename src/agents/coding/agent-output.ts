/** What a coding CLI reported about one run (null where its output says nothing). */
export interface IterationMetrics {
  costUsd: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** Prompt tokens served from the CLI's cache (Claude, Codex, Gemini say so separately). */
  cachedTokens: number | null;
  turns: number | null;
  durationMs: number;
  sessionId: string | null;
  model: string | null;
  /** Runs of the CLI given up on as transient (rate limit, overload, network) and retried. */
  retries: number;
}

/** A CLI's output read into what the loop needs. */
export interface AgentOutput {
  /** The agent's own words: where the promise is looked for (never tool input or tool output). */
  answer: string;
  /**
   * The agent's final answer alone (Claude's `result`, the last assistant message): the only place
   * the promise counts, so a plan that names the promise early does not complete the task.
   */
  final: string;
  /** The CLI said the run failed (an error result, a failed turn). */
  isError: boolean;
  /** Why, in the CLI's words. */
  error: string | null;
  /** Subtype of the result where the CLI gives one (Claude: success, error_max_turns, …). */
  subtype: string | null;
  /** When a usage limit the CLI hit resets (epoch ms), where it says (Claude's rate_limit_event). */
  resetAt: number | null;
  metrics: Omit<IterationMetrics, 'durationMs' | 'retries'> & { durationMs: number | null };
}

/**
 * Reads a CLI's output line by line as it arrives: `push` returns lines a person watching should
 * see (assistant text, tool calls), `finish` the whole reading.
 */
export interface OutputParser {
  push(line: string): string[];
  finish(): AgentOutput;
}

export function emptyOutput(): AgentOutput {
  return {
    answer: '',
    final: '',
    isError: false,
    error: null,
    subtype: null,
    resetAt: null,
    metrics: { costUsd: null, inputTokens: null, outputTokens: null, cachedTokens: null, turns: null, durationMs: null, sessionId: null, model: null },
  };
}

/** Adds b to a where both may be unknown (null): unknown only when both are. */
export const addKnown = (a: number | null, b: number | null | undefined): number | null =>
  typeof b === 'number' && Number.isFinite(b) ? (a ?? 0) + b : a;

export function parseJsonLine(line: string): unknown {
  const t = line.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return undefined;
  }
}

export type Json = Record<string, unknown>;

/** One line of a JSON-lines stream: its event(s) read, a line that is not JSON shown as it is. */
export function pushJsonLine(line: string, read: (event: Json) => string[]): string[] {
  const value = parseJsonLine(line);
  if (value === undefined) return line.trim() ? [line] : [];
  return (Array.isArray(value) ? value : [value]).flatMap((e) => (isObject(e) ? read(e) : []));
}

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
export const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The lines of an agent's text for the view: each non-empty one, cut to a width. */
export function textLines(text: string, width = 160): string[] {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
}

/** One line for the view: the first line of a text, cut to a width. */
export function oneLine(text: string, width = 160): string {
  const first = text.trim().split('\n').find((l) => l.trim() !== '') ?? '';
  return first.length > width ? `${first.slice(0, width - 1)}…` : first;
}

/**
 * Reads a whole output: a single (pretty-printed) JSON document as one event, else line by line.
 * Gemini's `--output-format json` prints its object over many lines.
 */
export function readWhole(parser: OutputParser, text: string): AgentOutput {
  const trimmed = text.trim();
  let whole: unknown;
  if (trimmed.includes('\n') && (trimmed.startsWith('{') || trimmed.startsWith('['))) {
    try {
      whole = JSON.parse(trimmed) as unknown;
    } catch {
      whole = undefined;
    }
  }
  if (whole === undefined) return readLines(parser, text);
  parser.push(JSON.stringify(whole));
  return parser.finish();
}

export function readLines(parser: OutputParser, text: string): AgentOutput {
  for (const line of text.split('\n')) parser.push(line);
  return parser.finish();
}
