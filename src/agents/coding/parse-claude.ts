import { addKnown, emptyOutput, isObject, num, oneLine, textLines, pushJsonLine, str, type Json, type OutputParser } from './agent-output.js';

/**
 * Claude Code's `--output-format stream-json --verbose` (one event a line: `system` init,
 * `assistant` and `user` messages, a final `result`) and `--output-format json` (the `result`
 * object alone, or an array of the events). The answer is the assistant's text blocks and the
 * result text; `tool_use` input and `tool_result` content are shown, never searched.
 */
export function createClaudeParser(): OutputParser {
  const out = emptyOutput();
  const texts: string[] = [];
  let result: string | null = null;
  let sawResult = false;
  const read = (event: Json): string[] => {
    const m = out.metrics;
    m.sessionId = str(event.session_id) ?? m.sessionId;
    switch (event.type) {
      case 'system':
        m.model = str(event.model) ?? m.model;
        // Claude Code retries the API itself and says so: shown, not counted as the loop's retries.
        if (event.subtype === 'api_retry') return [`! API retry ${num(event.attempt) ?? ''}${num(event.error_status) !== null ? ` (status ${num(event.error_status)})` : ''}`.replace(/ +$/, '')];
        return [];
      case 'assistant': {
        const message = isObject(event.message) ? event.message : {};
        m.model = str(message.model) ?? m.model;
        const lines: string[] = [];
        if (typeof event.error === 'string') {
          out.error = event.error;
          lines.push(`! ${event.error}`);
        }
        for (const block of Array.isArray(message.content) ? message.content : []) {
          if (!isObject(block)) continue;
          if (block.type === 'text' && typeof block.text === 'string') {
            texts.push(block.text);
            lines.push(...textLines(block.text));
          } else if (block.type === 'tool_use') lines.push(`→ ${str(block.name) ?? 'tool'}${describeInput(block.input)}`);
        }
        return lines.filter((l) => l !== '');
      }
      case 'user': {
        const message = isObject(event.message) ? event.message : {};
        const lines: string[] = [];
        for (const block of Array.isArray(message.content) ? message.content : []) {
          if (isObject(block) && block.type === 'tool_result' && block.is_error === true) lines.push(`  ✗ ${oneLine(toolText(block.content), 120)}`);
        }
        return lines;
      }
      case 'rate_limit_event': {
        // {"type":"rate_limit_event","rate_limit_info":{"status":"rejected","resetsAt":<epoch s>,"rateLimitType":"five_hour"}}
        const info = isObject(event.rate_limit_info) ? event.rate_limit_info : {};
        const resets = num(info.resetsAt);
        if (info.status !== 'rejected' || resets === null) return [];
        out.resetAt = resets * 1000;
        return [`! usage limit (${str(info.rateLimitType) ?? 'rate limit'}) reached: resets at ${new Date(out.resetAt).toISOString()}`];
      }
      case 'result': {
        sawResult = true;
        result = str(event.result);
        out.subtype = str(event.subtype);
        out.isError = event.is_error === true || (out.subtype !== null && out.subtype !== 'success');
        // `subtype: success` with `is_error: true` happens (terminal_reason api_error): is_error decides.
        const status = num(event.api_error_status);
        if (out.isError) out.error = `${status !== null && !(result ?? '').includes(String(status)) ? `API error ${status}: ` : ''}${result ?? str(event.terminal_reason) ?? out.subtype ?? 'the run ended in an error'}`;
        m.costUsd = num(event.total_cost_usd) ?? num(event.cost_usd) ?? m.costUsd;
        m.turns = num(event.num_turns) ?? m.turns;
        m.durationMs = num(event.duration_ms) ?? m.durationMs;
        const usage = isObject(event.usage) ? event.usage : {};
        m.inputTokens = addKnown(addKnown(null, num(usage.input_tokens)), num(usage.cache_creation_input_tokens));
        m.outputTokens = num(usage.output_tokens);
        m.cachedTokens = num(usage.cache_read_input_tokens);
        // Tools the permission mode refused: the likely reason an iteration made no progress.
        const denied = (Array.isArray(event.permission_denials) ? event.permission_denials : []).filter(isObject).map((d) => `! permission denied: ${str(d.tool_name) ?? 'tool'}${describeInput(d.tool_input)}`);
        return [...denied, out.isError ? `✗ ${out.subtype ?? 'error'}: ${oneLine(out.error ?? '')}` : `✓ done${m.turns !== null ? ` in ${m.turns} turn(s)` : ''}${m.costUsd !== null ? `, $${m.costUsd.toFixed(4)}` : ''}`];
      }
      default:
        return [];
    }
  };
  return {
    push: (line) => pushJsonLine(line, read),
    finish() {
      const last = texts.at(-1)?.trim();
      out.answer = [...texts, ...(result !== null && result.trim() !== last ? [result] : [])].join('\n');
      // The `result` event is Claude Code's final answer; without one, the last assistant text.
      out.final = result ?? texts.at(-1) ?? '';
      if (!sawResult && !out.error) out.error = 'no result event in the output (the CLI stopped early)';
      return out;
    },
  };
}

function describeInput(input: unknown): string {
  if (!isObject(input)) return '';
  const shown = str(input.command) ?? str(input.file_path) ?? str(input.path) ?? str(input.pattern) ?? str(input.url) ?? str(input.description);
  return shown ? ` ${oneLine(shown, 120)}` : '';
}

function toolText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((c) => (isObject(c) ? (str(c.text) ?? '') : '')).join(' ');
  return '';
}
