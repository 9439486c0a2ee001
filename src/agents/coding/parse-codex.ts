import { addKnown, emptyOutput, isObject, num, oneLine, textLines, pushJsonLine, str, type Json, type OutputParser } from './agent-output.js';

/**
 * `codex exec --json`: one event a line — `thread.started` (thread_id), `turn.started`,
 * `item.started` / `item.updated` / `item.completed` (items: agent_message, reasoning,
 * command_execution, file_change, mcp_tool_call, web_search, todo_list, error), `turn.completed`
 * (usage: input_tokens, cached_input_tokens, output_tokens), `turn.failed` (error.message) and
 * `error` (message). Codex reports no cost. The answer is the agent_message items' text.
 */
export function createCodexParser(): OutputParser {
  const out = emptyOutput();
  const texts: string[] = [];
  let turns = 0;
  const read = (event: Json): string[] => {
    const m = out.metrics;
    switch (event.type) {
      case 'thread.started':
        m.sessionId = str(event.thread_id) ?? m.sessionId;
        return [];
      case 'item.started':
      case 'item.completed': {
        const item = isObject(event.item) ? event.item : {};
        const done = event.type === 'item.completed';
        if (item.type === 'agent_message' && done && typeof item.text === 'string') {
          texts.push(item.text);
          return textLines(item.text);
        }
        if (item.type === 'command_execution' && !done) return [`→ $ ${oneLine(str(item.command) ?? '', 120)}`];
        if (item.type === 'command_execution' && done && num(item.exit_code) !== null && item.exit_code !== 0) return [`  ✗ exit ${String(item.exit_code)}`];
        if (item.type === 'file_change' && done) return [`→ edit ${describeChanges(item.changes)}`];
        if (item.type === 'mcp_tool_call' && !done) return [`→ ${str(item.server) ?? 'mcp'}.${str(item.tool) ?? 'tool'}`];
        if (item.type === 'error' && done) return [`! ${oneLine(str(item.message) ?? '')}`];
        return [];
      }
      case 'turn.completed': {
        turns++;
        const usage = isObject(event.usage) ? event.usage : {};
        m.inputTokens = addKnown(m.inputTokens, num(usage.input_tokens));
        m.cachedTokens = addKnown(m.cachedTokens, num(usage.cached_input_tokens));
        m.outputTokens = addKnown(m.outputTokens, num(usage.output_tokens));
        return [];
      }
      case 'turn.failed': {
        const error = isObject(event.error) ? str(event.error.message) : null;
        out.isError = true;
        out.error = error ?? 'the turn failed';
        return [`✗ ${oneLine(out.error)}`];
      }
      case 'error':
        out.isError = true;
        out.error = str(event.message) ?? 'error';
        return [`✗ ${oneLine(out.error)}`];
      default:
        return [];
    }
  };
  return {
    push: (line) => pushJsonLine(line, read),
    finish() {
      out.answer = texts.join('\n');
      // Codex's final answer is its last agent_message.
      out.final = texts.at(-1) ?? '';
      out.metrics.turns = turns > 0 ? turns : null;
      return out;
    },
  };
}

function describeChanges(changes: unknown): string {
  if (!Array.isArray(changes)) return '';
  return changes.map((c) => (isObject(c) ? (str(c.path) ?? '') : '')).filter(Boolean).join(', ');
}
