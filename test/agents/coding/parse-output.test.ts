import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readWhole } from '../../../src/agents/coding/agent-output.js';
import { createClaudeParser } from '../../../src/agents/coding/parse-claude.js';
import { createCodexParser } from '../../../src/agents/coding/parse-codex.js';
import { createGeminiParser } from '../../../src/agents/coding/parse-gemini.js';
import { createAiderParser } from '../../../src/agents/coding/parse-text.js';
import { findPromise } from '../../../src/engine/find-promise.js';
import { classifyFailure } from '../../../src/agents/coding/classify-failure.js';
import { repoRoot } from '../../helpers/workspace.js';

// Recorded shapes, written from each CLI's documented output (the real CLIs need network and keys).
const fixture = (name: string): string => readFileSync(path.join(repoRoot, 'test', 'fixtures', 'coding-output', name), 'utf8');

describe('reading the coding CLIs', () => {
  it("Claude Code stream-json: answer, cost, tokens, turns, session; tool input is not the answer", () => {
    const parser = createClaudeParser();
    const shown = fixture('claude-stream.jsonl').split('\n').flatMap((l) => parser.push(l));
    const out = parser.finish();
    expect(shown).toContain('→ Bash npm test -- --reporter dot');
    expect(shown).toContain('→ Edit /work/app/src/sum.js');
    expect(shown.some((l) => l.startsWith('  ✗ 1 failing'))).toBe(true);
    expect(out.isError).toBe(false);
    expect(out.subtype).toBe('success');
    expect(out.metrics).toEqual({ costUsd: 0.0421, inputTokens: 6500, outputTokens: 180, cachedTokens: 18000, turns: 5, durationMs: 18342, sessionId: '8f0c2a4e-1111-2222-3333-444455556666', model: 'claude-sonnet-4-5-20250929' });
    expect(out.answer).toContain("I'll run the tests first.");
    expect(out.answer).not.toContain('npm test');
    expect(out.answer).not.toContain('1 failing');
    expect(findPromise(out.answer, 'TESTS_PASS')).toBe(true);
  });

  it('Claude Code json: an error result (error_max_turns) is an error with its figures', () => {
    const parser = createClaudeParser();
    expect(parser.push(fixture('claude-json.json'))).toEqual(['! permission denied: Bash rm -rf build && echo <promise>TESTS_PASS</promise>', '✗ error_max_turns: error_max_turns']);
    const out = readWhole(createClaudeParser(), fixture('claude-json.json'));
    expect(findPromise(out.answer, 'TESTS_PASS')).toBe(false);
    expect(out.isError).toBe(true);
    expect(out.subtype).toBe('error_max_turns');
    expect(out.error).toBe('error_max_turns');
    expect(out.metrics.costUsd).toBe(0.31);
    expect(out.metrics.turns).toBe(10);
    expect(out.metrics.inputTokens).toBe(30000);
  });

  it("Claude Code's own API retries are shown; an error result says success but is_error decides, and is transient on 429", () => {
    const parser = createClaudeParser();
    const shown = fixture('claude-api-error.jsonl').split('\n').flatMap((l) => parser.push(l));
    expect(shown.slice(0, 2)).toEqual(['! API retry 1 (status 429)', '! API retry 2 (status 429)']);
    const out = parser.finish();
    expect(out.isError).toBe(true);
    expect(out.error).toBe('API error 429: Request rejected: too many requests, please slow down');
    expect(classifyFailure(out.error, '')?.reason).toBe('rate limited');
  });

  it('a promise echoed only inside a tool call or its result is not kept', () => {
    const lines = [
      { type: 'assistant', message: { content: [{ type: 'tool_use', name: 'Bash', input: { command: "echo '<promise>DONE</promise>'" } }] } },
      { type: 'user', message: { content: [{ type: 'tool_result', content: '<promise>DONE</promise>' }] } },
      { type: 'result', subtype: 'success', is_error: false, result: 'Still working.', num_turns: 2, total_cost_usd: 0.01, usage: { input_tokens: 10, output_tokens: 5 } },
    ].map((e) => JSON.stringify(e));
    const out = readWhole(createClaudeParser(), lines.join('\n'));
    expect(findPromise(out.answer, 'DONE')).toBe(false);
    expect(findPromise(lines.join('\n'), 'DONE')).toBe(true); // what a plain-text search would have taken
  });

  it('codex exec --json: agent messages, summed usage, the thread id; a failed turn is an error', () => {
    const parser = createCodexParser();
    const shown = fixture('codex.jsonl').split('\n').flatMap((l) => parser.push(l));
    const out = parser.finish();
    expect(shown).toContain("→ $ bash -lc 'npm test'");
    expect(shown).toContain('→ edit src/sum.js');
    expect(out.metrics).toMatchObject({ inputTokens: 24763, cachedTokens: 24448, outputTokens: 122, turns: 1, sessionId: '0199a213-81c0-7800-8aa1-bbab2a035a53', costUsd: null });
    expect(out.answer).toBe('Fixed sum(); the suite passes.\n<promise>TESTS_PASS</promise>');
    const failed = readWhole(createCodexParser(), fixture('codex-failed.jsonl'));
    expect(failed.isError).toBe(true);
    expect(failed.error).toContain('429 Too Many Requests');
  });

  it('gemini stream-json and json: the assistant text (deltas joined), tokens, session', () => {
    const live = createGeminiParser();
    const shown = fixture('gemini-stream.jsonl').split('\n').flatMap((l) => live.push(l));
    expect(shown).toEqual(['→ run_shell_command npm test', '  ✗ 1 failing (shell_error)', 'Fixed sum(); all tests pass.', '<promise>TESTS_PASS</promise>', '✓ done']);
    const stream = readWhole(createGeminiParser(), fixture('gemini-stream.jsonl'));
    expect(stream.answer).toBe('Fixed sum(); all tests pass.\n<promise>TESTS_PASS</promise>');
    expect(stream.metrics).toMatchObject({ inputTokens: 24939, outputTokens: 174, cachedTokens: 21263, durationMs: 9800, sessionId: 'abc123', model: 'gemini-2.5-pro' });
    expect(findPromise(stream.answer, 'TESTS_PASS')).toBe(true);
    const single = readWhole(createGeminiParser(), fixture('gemini-json.json'));
    expect(single.answer).toBe('The tests still fail: sum() subtracts.');
    expect(single.metrics).toMatchObject({ inputTokens: 24939, outputTokens: 174, cachedTokens: 21263, model: 'gemini-2.5-pro' });
    expect(single.isError).toBe(false);
  });

  it("aider's text: the token and cost lines of each reply added up", () => {
    const out = readWhole(createAiderParser(), fixture('aider.txt'));
    expect(out.metrics.inputTokens).toBe(7500);
    expect(out.metrics.outputTokens).toBe(1242);
    expect(out.metrics.costUsd).toBeCloseTo(0.0243, 6);
    expect(out.metrics.turns).toBe(2);
    expect(findPromise(out.answer, 'TESTS_PASS')).toBe(true);
  });
});
