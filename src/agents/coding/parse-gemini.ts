import { addKnown, emptyOutput, isObject, num, oneLine, textLines, parseJsonLine, str, type Json, type OutputParser } from './agent-output.js';

/**
 * Gemini CLI headless output. `--output-format stream-json`: `init` (session_id, model),
 * `message` (role, content, delta), `tool_use` (tool_name, parameters), `tool_result`, `error`,
 * and a final `result` (status, stats: total_tokens, input_tokens, output_tokens, duration_ms,
 * tool_calls). `--output-format json`: one object `{response, stats: {models: {<name>: {tokens:
 * {prompt, candidates, total, cached}}}}, error?}`. Gemini reports no cost. The answer is the
 * assistant's messages (or `response`).
 */
export function createGeminiParser(): OutputParser {
  const out = emptyOutput();
  let answer = '';
  // The assistant message being written (deltas add to it); a tool call ends it.
  let message = '';
  let last = '';
  let sawResult = false;
  let partial = '';
  const flush = (): string[] => {
    const rest = textLines(partial);
    partial = '';
    return rest;
  };
  const m = out.metrics;
  const readStream = (event: Json): string[] => {
    switch (event.type) {
      case 'init':
        m.sessionId = str(event.session_id) ?? m.sessionId;
        m.model = str(event.model) ?? m.model;
        return [];
      case 'message': {
        if (event.role !== 'assistant' || typeof event.content !== 'string') return [];
        answer += event.delta === true ? event.content : `${answer && !answer.endsWith('\n') ? '\n' : ''}${event.content}`;
        message = event.delta === true ? message + event.content : event.content;
        last = message;
        if (event.delta !== true) return textLines(event.content);
        // Deltas are shown a whole line at a time.
        const parts = (partial + event.content).split('\n');
        partial = parts.pop() ?? '';
        return textLines(parts.join('\n'));
      }
      case 'tool_use':
        message = '';
        return [...flush(), `→ ${str(event.tool_name) ?? 'tool'}${describeParameters(event.parameters)}`];
      case 'tool_result':
        return event.status === 'error' ? [`  ✗ ${oneLine(errorText(event.error) ?? str(event.output) ?? '', 120)}`] : [];
      case 'error':
        out.error = str(event.message) ?? out.error;
        return [`! ${oneLine(str(event.message) ?? '')}`];
      case 'result': {
        const rest = flush();
        sawResult = true;
        const status = str(event.status);
        out.subtype = status;
        if (status !== null && status !== 'success') {
          out.isError = true;
          out.error = errorText(event.error) ?? out.error ?? `status ${status}`;
        }
        const stats = isObject(event.stats) ? event.stats : {};
        m.inputTokens = num(stats.input_tokens) ?? m.inputTokens;
        m.outputTokens = num(stats.output_tokens) ?? m.outputTokens;
        m.cachedTokens = num(stats.cached) ?? m.cachedTokens;
        m.durationMs = num(stats.duration_ms) ?? m.durationMs;
        if (m.inputTokens === null && m.outputTokens === null) m.inputTokens = num(stats.total_tokens);
        return [...rest, out.isError ? `✗ ${oneLine(out.error ?? '')}` : '✓ done'];
      }
      default:
        return [];
    }
  };
  const readSingle = (value: Json): string[] => {
    sawResult = true;
    if (typeof value.response === 'string') answer = last = value.response;
    const error = errorText(value.error);
    if (error) {
      out.isError = true;
      out.error = error;
    }
    const models = isObject(value.stats) && isObject(value.stats.models) ? value.stats.models : {};
    for (const [name, stats] of Object.entries(models)) {
      m.model ??= name;
      const tokens = isObject(stats) && isObject(stats.tokens) ? stats.tokens : {};
      m.inputTokens = addKnown(m.inputTokens, num(tokens.prompt));
      m.outputTokens = addKnown(addKnown(m.outputTokens, num(tokens.candidates)), num(tokens.thoughts));
      m.cachedTokens = addKnown(m.cachedTokens, num(tokens.cached));
    }
    return [out.isError ? `✗ ${oneLine(error ?? '')}` : oneLine(answer)].filter((l) => l !== '');
  };
  return {
    push(line) {
      const value = parseJsonLine(line);
      if (!isObject(value)) return line.trim() && value === undefined ? [line] : [];
      return typeof value.type === 'string' ? readStream(value) : 'response' in value || 'stats' in value || 'error' in value ? readSingle(value) : [];
    },
    finish() {
      out.answer = answer;
      // Gemini's final answer is its last assistant message (or `response`).
      out.final = last;
      if (!sawResult && !out.error) out.error = 'no result in the output (the CLI stopped early)';
      return out;
    },
  };
}

function errorText(error: unknown): string | null {
  if (typeof error === 'string') return error;
  if (!isObject(error)) return null;
  const message = str(error.message);
  const code = error.code ?? error.type;
  return message ? `${message}${code !== undefined && code !== null ? ` (${String(code)})` : ''}` : null;
}

function describeParameters(parameters: unknown): string {
  if (!isObject(parameters)) return '';
  const shown = str(parameters.command) ?? str(parameters.file_path) ?? str(parameters.absolute_path) ?? str(parameters.path) ?? str(parameters.pattern);
  return shown ? ` ${oneLine(shown, 120)}` : '';
}
