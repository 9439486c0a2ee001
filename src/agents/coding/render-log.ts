import { isObject, parseJsonLine, type OutputParser } from './agent-output.js';
import { createClaudeParser } from './parse-claude.js';
import { createCodexParser } from './parse-codex.js';
import { createGeminiParser } from './parse-gemini.js';

/** The parser for a log whose first JSON event is this one (Claude's `system`, Codex's `thread.started`, Gemini's `init`). */
function parserFor(first: unknown): OutputParser | null {
  if (!isObject(first)) return null;
  if (first.type === 'system' || first.type === 'assistant' || first.type === 'result') return createClaudeParser();
  if (typeof first.type === 'string' && /^(thread|turn|item)\./.test(first.type)) return createCodexParser();
  if (first.type === 'init' || first.type === 'message') return createGeminiParser();
  return null;
}

/**
 * An iteration's log as a person reads it: a CLI's JSON events become the lines the live view
 * showed (assistant text, tool calls, the result); plain text stays as it is. Fed in pieces (a log
 * being followed), it prints whole lines only.
 */
export function createLogRenderer(print: (text: string) => void): { write(chunk: string): void; end(): void } {
  let pending = '';
  let parser: OutputParser | null | undefined;
  const line = (text: string): void => {
    if (parser === undefined) {
      const value = parseJsonLine(text);
      if (value !== undefined) parser = parserFor(Array.isArray(value) ? value[0] : value);
      else if (text.trim() !== '') parser = null;
    }
    if (!parser) return print(`${text}\n`);
    for (const shown of parser.push(text)) print(`${shown}\n`);
  };
  return {
    write(chunk) {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) line(l);
    },
    end() {
      if (pending) line(pending);
      pending = '';
    },
  };
}
